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

/** The text an event's date is stored as. */
async function storedAt(ds: DataSource, label: string): Promise<unknown> {
  const rows = (await ds.query('SELECT "at" AS "at" FROM "vc_event" WHERE "label" = ?', [label])) as {
    at: unknown;
  }[];
  return rows[0]?.at;
}

const SQLITE_LOCAL = [
  { source: 'sqlite', target: 'sqlite' },
  { source: 'sqlite', target: 'postgres' },
] as const;

describeEachPair(
  'column values, converted by TypeORM or copied as stored',
  (pair) => {
    const db = useSyncPair(pair, [VcEvent]);
    const sameStorage = pair.target === 'sqlite';

    it('copies as stored only between two SQLite databases, and never through a transformer', () => {
      const mapping = new EntityMappings(db.local, db.remote).of(db.local.getMetadata(VcEvent));
      const asStored = Object.fromEntries(mapping.columns.map((c) => [c.local.propertyName, c.asStored]));
      expect(asStored).toEqual({ at: sameStorage, label: false });
    });

    it('gives the remote the instant the local row holds, whatever text it is stored as', async () => {
      await savedWithOffsetText(db.local, 'instant');
      await synchronize({ local: db.local, remote: db.remote });
      const remote = await db.remote.getRepository(VcEvent).findOneByOrFail({ label: 'instant' });
      expect(remote.at.toISOString()).toBe('2024-03-01T08:00:00.000Z');
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
      expect(await storedAt(db.remote, 'text')).toBe(OFFSET_TEXT);
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
