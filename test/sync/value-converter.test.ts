import 'reflect-metadata';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { NaturalKey, Synchro } from '../../src/capture/decorators';
import { EntityMappings } from '../../src/sync/entity-mapping';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';

const trimmed = { to: (v: string) => v.trim(), from: (v: string) => v };

@Synchro()
@Entity('vc_event')
class VcEvent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: Date })
  at!: Date;

  @Column({ type: 'varchar', length: 40, transformer: trimmed })
  label!: string;

  @Column({ type: 'simple-json', nullable: true })
  meta!: unknown;
}

/** Natural key `at`: rows of both sides are matched by the instant. */
@NaturalKey(['at'])
@Synchro()
@Entity('vc_slot')
class VcSlot {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: Date, unique: true })
  at!: Date;

  @Column({ type: 'varchar', length: 40 })
  label!: string;
}

/** A date text TypeORM never writes (it writes `2024-03-01 08:00:00.000`): SQLite's ISO form with an offset. */
const OFFSET_TEXT = '2024-03-01T10:00:00+02:00';

/** Saves an event through TypeORM (logged), then rewrites its date's stored text without logging. */
async function savedWithOffsetText(local: DataSource, label: string): Promise<void> {
  const saved = await local.getRepository(VcEvent).save({ at: new Date('2024-01-01T00:00:00Z'), label });
  await local.query('UPDATE "vc_event" SET "at" = ? WHERE "id" = ?', [OFFSET_TEXT, saved.id]);
}

/** What an event's `column` holds as stored, read without TypeORM's hydration. */
async function storedOf(ds: DataSource, column: 'at' | 'meta', label: string): Promise<unknown> {
  const row = await ds
    .createQueryBuilder()
    .select(`e.${column}`, 'value')
    .from('vc_event', 'e')
    .where('e.label = :label', { label })
    .getRawOne<{ value: unknown }>();
  return row?.value;
}

/** JSON text TypeORM never writes (it writes `{"a":[1,2]}`). */
const SPACED_JSON = '{ "a": [1, 2] }';

const SQLITE_LOCAL = [
  { source: 'sqlite', target: 'sqlite' },
  { source: 'sqlite', target: 'postgres' },
] as const;

describeEachPair(
  'column values, converted by TypeORM or copied as stored',
  (pair) => {
    const db = useSyncPair(pair, [VcEvent]);
    const sameStorage = pair.target === 'sqlite';

    it('copies as stored between two SQLite databases and JSON text everywhere, never through a transformer', () => {
      const mapping = new EntityMappings(db.local, db.remote).of(db.local.getMetadata(VcEvent));
      const asStored = Object.fromEntries(mapping.columns.map((c) => [c.local.propertyName, c.asStored]));
      expect(asStored).toEqual({ at: sameStorage, label: false, meta: true });
    });

    it('gives the remote the instant the local row holds, whatever text it is stored as', async () => {
      await savedWithOffsetText(db.local, 'instant');
      await synchronize({ local: db.local, remote: db.remote });
      const remote = await db.remote.getRepository(VcEvent).findOneByOrFail({ label: 'instant' });
      expect(remote.at.toISOString()).toBe('2024-03-01T08:00:00.000Z');
    });

    it('keeps the stored text of a simple-json value on any remote', async () => {
      const saved = await db.local.getRepository(VcEvent).save({ at: new Date(0), label: 'json' });
      await db.local.query('UPDATE "vc_event" SET "meta" = ? WHERE "id" = ?', [SPACED_JSON, saved.id]);
      await synchronize({ local: db.local, remote: db.remote });
      expect(await storedOf(db.remote, 'meta', 'json')).toBe(SPACED_JSON);
      const remote = await db.remote.getRepository(VcEvent).findOneByOrFail({ label: 'json' });
      expect(remote.meta).toEqual({ a: [1, 2] });
    });
  },
  SQLITE_LOCAL,
);

describeEachPair(
  'column values between two SQLite databases',
  (pair) => {
    const db = useSyncPair(pair, [VcEvent, VcSlot]);

    it('keeps the stored text of a value, where a TypeORM round trip would rewrite it', async () => {
      await savedWithOffsetText(db.local, 'text');
      await synchronize({ local: db.local, remote: db.remote });
      expect(await storedOf(db.remote, 'at', 'text')).toBe(OFFSET_TEXT);
    });

    it('still matches a natural key by its value, not by its stored text', async () => {
      const at = new Date('2024-03-01T08:00:00Z');
      await db.remote.getRepository(VcSlot).save({ at, label: 'remote' });
      const local = await db.local.getRepository(VcSlot).save({ at: new Date(0), label: 'local' });
      await db.local.query('UPDATE "vc_slot" SET "at" = ? WHERE "id" = ?', [OFFSET_TEXT, local.id]);
      const result = await synchronize({ local: db.local, remote: db.remote });
      expect(result.status).toBe('synced');
      const slots = await db.remote.getRepository(VcSlot).find();
      expect(slots.map((s) => [s.at.toISOString(), s.label])).toEqual([[at.toISOString(), 'local']]);
    });
  },
  [{ source: 'sqlite', target: 'sqlite' }],
);
