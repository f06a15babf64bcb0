import fc from 'fast-check';
import { decodeKey, encodeKey, encodeSingleKey, keyValueToString, readKey } from '../../src/core/entity-key';

const keyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uuid(),
);
const keyRecord = fc.dictionary(fc.string({ minLength: 1 }), keyValue, { minKeys: 1, maxKeys: 3 });

function stringsOf(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, keyValueToString(v)]));
}

describe('entity keys', () => {
  it('encode exactly as JSON.stringify of the string record, single- and multi-column alike', () => {
    fc.assert(
      fc.property(keyRecord, (record) => {
        expect(encodeKey(record)).toBe(JSON.stringify(stringsOf(record)));
      }),
    );
  });

  it('encodeSingleKey spells a one-column key exactly as encodeKey does', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), keyValue, (path, value) => {
        expect(encodeSingleKey(path, value)).toBe(JSON.stringify({ [path]: keyValueToString(value) }));
      }),
    );
  });

  it('decode back to the string record, and readKey gives the same record, frozen and reused', () => {
    fc.assert(
      fc.property(keyRecord, (record) => {
        const encoded = encodeKey(record);
        expect(decodeKey(encoded)).toEqual(stringsOf(record));
        const read = readKey(encoded);
        expect(read).toEqual(stringsOf(record));
        expect(Object.isFrozen(read)).toBe(true);
        expect(readKey(encoded)).toBe(read);
      }),
    );
  });

  it('decodeKey hands out a fresh object each time, so a caller may change its copy', () => {
    const encoded = encodeKey({ id: 5 });
    const copy = decodeKey(encoded);
    copy.id = '6';
    expect(decodeKey(encoded)).toEqual({ id: '5' });
    expect(readKey(encoded)).toEqual({ id: '5' });
  });

  it('refuses stored keys that are not JSON objects', () => {
    expect(() => readKey('[1]')).toThrow(TypeError);
    expect(() => decodeKey('null')).toThrow(TypeError);
  });
});
