import type { EncodedKey } from '../core/entity-key';
import type { EntityMapping, JunctionPlan } from './entity-mapping';
import { joinRowOwner, selectJoinRows, type JoinRow } from './m2m-reconcile';
import { readLocalRows, type RawRow } from './row-reader';
import type { SideSql } from './sync-sql';

interface Read<T> {
  readonly keys: ReadonlySet<EncodedKey>;
  readonly result: Promise<T>;
}

/**
 * @internal The local reads a batch starts with (its objects' rows and their m2m join rows), issued
 * before the batch is applied, while the batch before it still is. The engine writes only to the
 * remote, so an early read sees what the batch would have read, minus local edits made meanwhile,
 * which are logged after the run's high-water mark and go with the next run. A batch asks for its
 * reads by entity and keys; what a pre-read does not cover is read as usual.
 *
 * @example
 * const preread = LocalPreread.start(ctx.local, [[mapping, keys]]);
 * const rows = (await preread.rowsOf(mapping, keys)) ?? (await readLocalRows(ctx.local, mapping, keys));
 */
export class LocalPreread {
  private constructor(
    private readonly rows: ReadonlyMap<EntityMapping, Read<Map<EncodedKey, RawRow>>>,
    private readonly joins: ReadonlyMap<JunctionPlan, Read<JoinRow[]>>,
  ) {}

  /** Starts the reads of `objects` (keys per entity); failures surface when a batch asks for them. */
  static start(side: SideSql, objects: ReadonlyMap<EntityMapping, readonly EncodedKey[]>): LocalPreread {
    const rows = new Map<EntityMapping, Read<Map<EncodedKey, RawRow>>>();
    const joins = new Map<JunctionPlan, Read<JoinRow[]>>();
    for (const [mapping, keys] of objects) {
      rows.set(mapping, settled(keys, readLocalRows(side, mapping, keys)));
      for (const junction of mapping.junctions)
        joins.set(junction, settled(keys, selectJoinRows(side, junction, 'local', keys)));
    }
    return new LocalPreread(rows, joins);
  }

  /** The rows of `keys` of `mapping` (absent keys absent), or `undefined` when not pre-read. */
  async rowsOf(
    mapping: EntityMapping,
    keys: readonly EncodedKey[],
  ): Promise<Map<EncodedKey, RawRow> | undefined> {
    const read = this.rows.get(mapping);
    return read !== undefined && covers(read, keys) ? read.result : undefined;
  }

  /** The local join rows of `owners`, or `undefined` when not pre-read. */
  async joinRowsOf(junction: JunctionPlan, owners: readonly EncodedKey[]): Promise<JoinRow[] | undefined> {
    const read = this.joins.get(junction);
    if (read === undefined || !covers(read, owners)) return undefined;
    const wanted = new Set(owners);
    const rows = await read.result;
    // `covers` made `wanted` a subset of the read keys: of the same size, it is all of them.
    if (wanted.size === read.keys.size) return rows;
    return rows.filter((row) => wanted.has(joinRowOwner(junction, row)));
  }
}

function covers(read: Read<unknown>, keys: readonly EncodedKey[]): boolean {
  return keys.every((key) => read.keys.has(key));
}

/** A read whose failure, if no batch ever asks for it, does not go unhandled. */
function settled<T>(keys: readonly EncodedKey[], result: Promise<T>): Read<T> {
  result.catch(() => undefined);
  return { keys: new Set(keys), result };
}
