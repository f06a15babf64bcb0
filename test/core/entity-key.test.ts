import fc from 'fast-check';
import {
  decodeKey,
  encodeKey,
  encodeSingleKey,
  keyValueOf,
  keyValueToString,
  readKey,
} from '../../src/core/entity-key';

const keyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
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

  it('keyValueOf reads one value exactly as readKey does, from our keys and from any stored text', () => {
    const outcome = (read: () => string | undefined) => {
      try {
        return { value: read() };
      } catch (error) {
        return { error: (error as Error).constructor };
      }
    };
    // Stored text in the one-column shape with any raw value (quotes, backslashes, control characters).
    const storedKey = fc
      .tuple(fc.string({ minLength: 1 }), fc.string({ unit: 'binary' }))
      .map(([path, raw]) => ({ text: `{${JSON.stringify(path)}:"${raw}"}`, path }));
    fc.assert(
      fc.property(keyRecord, fc.string({ minLength: 1 }), (record, other) => {
        const encoded = encodeKey(record);
        for (const path of [...Object.keys(record), other])
          expect(keyValueOf(encoded, path)).toBe(readKey(encoded)[path]);
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(storedKey, fc.record({ text: fc.string(), path: fc.string() })),
        ({ text, path }) => {
          expect(outcome(() => keyValueOf(text, path))).toEqual(outcome(() => readKey(text)[path]));
        },
      ),
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
