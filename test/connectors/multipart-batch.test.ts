import assert from 'node:assert/strict';
import { boundaryOf, parseBatchResponse, serializeBatch } from '../../connectors/dataverse/multipart-batch';

describe('Dataverse multipart batch format', () => {
  it('serializes each operation as its own application/http part with CRLF line endings', () => {
    const body = serializeBatch('batch_1', [
      {
        method: 'PATCH',
        url: '/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)',
        headers: { 'If-None-Match': '*' },
        body: '{"name":"A"}',
      },
      { method: 'DELETE', url: '/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000002)', headers: {} },
    ]);
    assert.equal(body.split('--batch_1\r\nContent-Type: application/http\r\n').length, 3);
    assert.match(
      body,
      /PATCH \/api\/data\/v9\.2\/accounts\(00000000-0000-0000-0000-000000000001\) HTTP\/1\.1\r\nIf-None-Match: \*\r\n\r\n\{"name":"A"\}/,
    );
    assert.ok(body.endsWith('--batch_1--\r\n'));
  });

  it('parses responses in order, flattening change sets and tolerating LF line endings', () => {
    const text = [
      '--batchresponse_x',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 201 Created',
      'Content-Type: application/json; odata.metadata=minimal',
      'ETag: W/"12"',
      '',
      '{"accountid":"a","@odata.etag":"W/\\"12\\""}',
      '--batchresponse_x',
      'Content-Type: multipart/mixed; boundary=changesetresponse_y',
      '',
      '--changesetresponse_y',
      'Content-Type: application/http',
      '',
      'HTTP/1.1 204 No Content',
      '',
      '',
      '--changesetresponse_y--',
      '--batchresponse_x',
      'Content-Type: application/http',
      '',
      'HTTP/1.1 412 Precondition Failed',
      'Content-Type: application/json',
      '',
      '{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}',
      '--batchresponse_x--',
      '',
    ].join('\n');
    const parts = parseBatchResponse(text, boundaryOf('multipart/mixed; boundary=batchresponse_x')!);
    assert.deepEqual(
      parts.map((p) => p.status),
      [201, 204, 412],
    );
    assert.equal(parts[0].headers.etag, 'W/"12"');
    assert.equal(JSON.parse(parts[0].body).accountid, 'a');
    assert.match(parts[2].body, /already exists/);
  });

  it('reads quoted and unquoted boundaries', () => {
    assert.equal(boundaryOf('multipart/mixed; boundary="batchresponse_1"'), 'batchresponse_1');
    assert.equal(boundaryOf('multipart/mixed;boundary=batchresponse_2'), 'batchresponse_2');
    assert.equal(boundaryOf('application/json'), null);
  });
});
