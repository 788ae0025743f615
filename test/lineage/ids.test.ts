import { describe, expect, it } from 'vitest';
import { UUID_NAMESPACE_DNS, UUID_NAMESPACE_URL, isSluiceError, uuidv5, uuidv7 } from '../../lineage/index.ts';
import { isUuid } from '../../core/identifiers.ts';

describe('uuidv5', () => {
  it.each([
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, name) / uuid.uuid5(uuid.NAMESPACE_URL, name)
    ['www.example.com', UUID_NAMESPACE_DNS, '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['python.org', UUID_NAMESPACE_DNS, '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    ['http://python.org/', UUID_NAMESPACE_URL, '4c565f0d-3f5a-5890-b41b-20cf47701c5e'],
  ])('does match the RFC 4122 vector for %s', (name, namespace, expected) => {
    expect(uuidv5(name, namespace)).toBe(expected);
  });

  it('does default to the URL namespace when none is given', () => {
    expect(uuidv5('http://python.org/')).toBe('4c565f0d-3f5a-5890-b41b-20cf47701c5e');
  });

  it('does return the same id for the same name and a different one for another name', () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:churn:run-1';
    expect(uuidv5(arn)).toBe(uuidv5(arn));
    expect(uuidv5(arn)).not.toBe(uuidv5(`${arn}x`));
    expect(uuidv5(arn)[14]).toBe('5');
  });

  it('fails when the namespace is not a UUID', () => {
    const error = (() => {
      try {
        uuidv5('x', 'not-a-uuid');
      } catch (e) {
        return e;
      }
    })();
    expect(isSluiceError(error)).toBe(true);
    expect((error as Error).message).toBe('namespace: expected a UUID like 6ba7b811-9dad-11d1-80b4-00c04fd430c8, got "not-a-uuid"');
  });
});

describe('uuidv7', () => {
  it('does produce RFC 9562 version 7 ids with the current time', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('does produce unique ids in ascending order when minted in a burst', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every(isUuid)).toBe(true);
  });
});
