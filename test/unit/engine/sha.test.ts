import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha1 } from '../../../engine/sha1';
import { sha256 } from '../../../engine/sha256';
import { toHex, utf8Encode } from '../../../engine/utf8';

describe('pure hashing primitives', () => {
  it('computes the FIPS 180 SHA-1 test vectors', () => {
    assert.equal(toHex(sha1('abc')), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(toHex(sha1('')), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
    assert.equal(
      toHex(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
  });

  it('computes the FIPS 180 SHA-256 test vectors', () => {
    assert.equal(toHex(sha256('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(sha256('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(
      toHex(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto on inputs of every length around the block boundaries, including non-ASCII text', () => {
    for (let n = 0; n < 200; n++) {
      const text =
        Array.from({ length: n }, (_, i) => String.fromCodePoint(((i * 7919 + n * 31) % 0x2fff) + 32)).join('') +
        (n % 7 === 0 ? '😀æøå' : '');
      assert.equal(toHex(sha1(text)), createHash('sha1').update(text, 'utf8').digest('hex'), `sha1, length ${n}`);
      assert.equal(toHex(sha256(text)), createHash('sha256').update(text, 'utf8').digest('hex'), `sha256, length ${n}`);
    }
  });

  it('encodes UTF-8 exactly like Buffer, lone surrogates as U+FFFD', () => {
    for (const text of ['', 'plain', 'Ærøskøbing', '北京', '😀 emoji', '\ud800 lone']) {
      assert.deepEqual(Buffer.from(utf8Encode(text)), Buffer.from(text, 'utf8'));
    }
  });
});
