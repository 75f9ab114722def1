import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { committedDocument, renderDocument } from '../src';

describe('the OpenAPI document', () => {
  it('is committed exactly as the routers generate it (run `pnpm openapi:generate` after changing a procedure)', () => {
    expect(committedDocument()).toBe(renderDocument());
  });

  it('passes an independent OpenAPI 3.1 validator', async () => {
    const document = JSON.parse(committedDocument());
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes the tenant operations with their security', () => {
    const document = JSON.parse(committedDocument());
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/tenants', '/tenants/{tenantId}', '/tenants/{tenantId}/disable']));
    expect(document.paths['/tenants'].post.security).toEqual([{ bearer: [] }]);
    expect(document.servers).toEqual([{ url: '/v1' }]);
  });
});
