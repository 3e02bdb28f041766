// Lets Node run the TypeScript sources directly: ts-node with the swc transpiler (types are checked by `npm run
// typecheck`, not at run time, so start-up stays fast).
require('ts-node').register({
  transpileOnly: true,
  swc: true,
  project: require('path').join(__dirname, '..', 'tsconfig.json'),
});
