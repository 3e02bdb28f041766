import assert from 'node:assert/strict';
import { ClientCredentialsTokenProvider } from '../../connectors/http/client-credentials-token-provider';
import { createTokenProvider, isEntraAuthority } from '../../connectors/http/create-token-provider';
import { MsalTokenProvider } from '../../connectors/http/msal-token-provider';

const common = {
  tenant: 'contoso',
  clientId: 'app',
  clientSecret: 'not-a-real-secret',
  scope: 'https://api.businesscentral.dynamics.com/.default',
};

describe('createTokenProvider', () => {
  it('uses MSAL for the public Entra authority over https', () => {
    const provider = createTokenProvider({ ...common, authorityHost: 'https://login.microsoftonline.com' });
    assert.ok(provider instanceof MsalTokenProvider);
  });

  it('uses MSAL for sovereign-cloud Entra authorities', () => {
    assert.ok(
      createTokenProvider({ ...common, authorityHost: 'https://login.microsoftonline.us/' }) instanceof
        MsalTokenProvider,
    );
    assert.ok(
      createTokenProvider({ ...common, authorityHost: 'https://login.chinacloudapi.cn' }) instanceof MsalTokenProvider,
    );
  });

  it('uses the plain client-credentials provider for an http emulator', () => {
    const provider = createTokenProvider({ ...common, authorityHost: 'http://127.0.0.1:7048' });
    assert.ok(provider instanceof ClientCredentialsTokenProvider);
  });

  it('does not treat http or look-alike hosts as Entra', () => {
    assert.equal(isEntraAuthority('http://login.microsoftonline.com'), false);
    assert.equal(isEntraAuthority('https://login.microsoftonline.com.evil.example'), false);
    assert.equal(isEntraAuthority('not a url'), false);
  });
});
