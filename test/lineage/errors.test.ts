import { describe, expect, it } from 'vitest';
import { LineageConfigError, LineageError, LineageTransportError, isSluiceError } from '../../lineage/index.ts';
import { SLUICE_ERROR_BRAND } from '../../core/errors.ts';

describe('lineage errors', () => {
  it('does brand every lineage error so isSluiceError recognises it', () => {
    const cause = new Error('socket hang up');
    const errors = [
      new LineageError('LINEAGE_EVENT_INVALID', 'run.runId: expected a UUID, got "x"'),
      new LineageConfigError(['transport.url: expected an http(s) URL, got "ftp://x"'], 'constructor config'),
      new LineageTransportError('http transport http://h/api/v1/lineage: answered 503', {
        cause,
        status: 503,
        attempts: 6,
        retryable: true,
      }),
    ];
    for (const error of errors) {
      expect(isSluiceError(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect(Object.keys(error)).not.toContain(SLUICE_ERROR_BRAND.toString());
    }
    const [, config, transport] = errors as [LineageError, LineageConfigError, LineageTransportError];
    expect(config.code).toBe('LINEAGE_CONFIG');
    expect(config.message).toBe(
      'invalid lineage configuration (constructor config): transport.url: expected an http(s) URL, got "ftp://x"',
    );
    expect(transport).toMatchObject({ code: 'LINEAGE_TRANSPORT', status: 503, attempts: 6, retryable: true, cause });
  });

  it('does recognise an error branded by another copy of the class (no instanceof)', () => {
    const foreign = Object.assign(new Error('from another bundle'), { code: 'STEP_FAILED', [Symbol.for('sluice.error')]: true });
    expect(isSluiceError(foreign)).toBe(true);
  });

  it('does not recognise plain errors or look-alikes without the brand', () => {
    for (const value of [new Error('x'), { code: 'LINEAGE_CONFIG', message: 'x' }, null, undefined, 'LINEAGE_CONFIG']) {
      expect(isSluiceError(value)).toBe(false);
    }
  });
});
