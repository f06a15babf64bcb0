import 'reflect-metadata';
import {
  Column,
  type DataSource,
  Entity,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';
import { openDataSource, type TestDatabase } from '../support/test-database';

@Synchro()
@Entity({ schema: 'sales' })
class SalesRep {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}

@Synchro()
@Entity({ schema: 'sales' })
class SalesTag {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

@Synchro()
@Entity({ schema: 'sales' })
class SalesDeal {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @ManyToOne(() => SalesRep, { nullable: false }) rep!: SalesRep;
  @ManyToMany(() => SalesTag) @JoinTable() tags!: SalesTag[];
}

/** The deals as the application reads them, by name. */
async function deals(ds: DataSource): Promise<unknown[]> {
  const rows = await ds
    .getRepository(SalesDeal)
    .find({ relations: { rep: true, tags: true }, order: { name: 'ASC' } });
  return rows.map((d) => ({ name: d.name, rep: d.rep.name, tags: d.tags.map((t) => t.label).sort() }));
}

/** TypeORM does not create a schema it is told to put tables in. */
async function createSalesSchema(db: TestDatabase): Promise<void> {
  const admin = await openDataSource(db, { entities: [], synchronize: false });
  await admin.query('CREATE SCHEMA sales');
  await admin.destroy();
}

// PostgreSQL schemas: a table path `sales.sales_deal` is two identifiers, not one.
describeEachPair(
  'tables in a PostgreSQL schema',
  (pair) => {
    const db = useSyncPair(pair, [SalesRep, SalesTag, SalesDeal], { prepare: createSalesSchema });
    beforeAll(async () => {
      await db.remote.getRepository(SalesRep).save({ name: 'remote own' });
    });

    it('inserts, join rows, an update by criteria and a delete reach the same schema on the remote', async () => {
      const { local, remote } = db;
      const rep = await local.getRepository(SalesRep).save({ name: 'Ann' });
      const [hot, cold] = await local.getRepository(SalesTag).save([{ label: 'hot' }, { label: 'cold' }]);
      await local.getRepository(SalesDeal).save([
        { name: 'big', rep, tags: [hot!, cold!] },
        { name: 'small', rep, tags: [cold!] },
      ]);
      expect((await synchronize({ local, remote })).status).toBe('synced');
      expect(await deals(remote)).toEqual(await deals(local));

      await local.getRepository(SalesDeal).update({ name: 'small' }, { name: 'smaller' });
      await local.getRepository(SalesDeal).delete({ name: 'big' });
      expect((await synchronize({ local, remote })).status).toBe('synced');
      expect(await deals(remote)).toEqual([{ name: 'smaller', rep: 'Ann', tags: ['cold'] }]);
    });
  },
  [{ source: 'postgres', target: 'postgres' }],
);
