import { encodeKey } from '../../src/core/entity-key';
import type { ForeignKeyPlan } from '../../src/sync/entity-mapping';
import { foreignKeyOf } from '../../src/sync/row-reader';

/** A foreign-key plan reduced to what foreignKeyOf reads: target key paths and the FK columns. */
function plan(keyPaths: string[], columns: { name: string; targetPath: string }[]): ForeignKeyPlan {
  return {
    target: { keys: keyPaths.map((path) => ({ local: { propertyPath: path } })) },
    columns: columns.map((c) => ({ local: { databaseName: c.name }, targetPath: c.targetPath })),
  } as unknown as ForeignKeyPlan;
}

describe('foreignKeyOf (the local key a row points at)', () => {
  it('encodes a one-column reference to a one-column key as the key itself', () => {
    const fk = plan(['id'], [{ name: 'parentId', targetPath: 'id' }]);
    expect(foreignKeyOf(fk, { parentId: 7 })).toBe(encodeKey({ id: '7' }));
    expect(foreignKeyOf(fk, { parentId: '12345678901234567890' })).toBe(
      encodeKey({ id: '12345678901234567890' }),
    );
    expect(foreignKeyOf(fk, { parentId: null })).toBeUndefined();
  });

  it('encodes composite references in key order', () => {
    const fk = plan(
      ['orderId', 'line'],
      [
        { name: 'lineNo', targetPath: 'line' },
        { name: 'ord', targetPath: 'orderId' },
      ],
    );
    expect(foreignKeyOf(fk, { ord: 3, lineNo: 2 })).toBe(encodeKey({ orderId: '3', line: '2' }));
    expect(foreignKeyOf(fk, { ord: 3, lineNo: null })).toBeUndefined();
  });

  it('names no key when the column references something other than the primary key', () => {
    const fk = plan(['id'], [{ name: 'countryCode', targetPath: 'code' }]);
    expect(foreignKeyOf(fk, { countryCode: 'PL' })).toBeUndefined();
  });
});
