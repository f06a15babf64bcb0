import 'reflect-metadata';
import {
  ChildEntity,
  Column,
  DeleteDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  TableInheritance,
  type DataSource,
} from 'typeorm';
import { NaturalKey, Synchro } from '../../src/capture/decorators';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';

class Place {
  @Column() street!: string;
  @Column({ type: 'varchar', nullable: true }) city!: string | null;
}

@NaturalKey(['code'])
@Synchro()
@Entity()
@TableInheritance({ column: { type: 'varchar', name: 'kind' } })
class Listing {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ unique: true }) code!: string;
  @Column() title!: string;
  @Column(() => Place) place!: Place;
  @DeleteDateColumn() removedAt?: Date | null;
}

@ChildEntity()
class FlatListing extends Listing {
  @Column({ type: 'int', nullable: true }) rooms!: number | null;
}

@ChildEntity()
class ShopListing extends Listing {
  @Column({ type: 'varchar', nullable: true }) trade!: string | null;
}

/** Every listing as its own class reads it: kind, columns of its class, soft-deleted or not. */
async function listings(ds: DataSource): Promise<unknown[]> {
  const flats = await ds.getRepository(FlatListing).find({ withDeleted: true, order: { code: 'ASC' } });
  const shops = await ds.getRepository(ShopListing).find({ withDeleted: true, order: { code: 'ASC' } });
  const view = (l: Listing, extra: object) => ({
    code: l.code,
    title: l.title,
    place: { ...l.place },
    removed: l.removedAt != null,
    ...extra,
  });
  return [
    ...flats.map((f) => view(f, { kind: 'flat', rooms: f.rooms })),
    ...shops.map((s) => view(s, { kind: 'shop', trade: s.trade })),
  ];
}

describeEachPair('single-table inheritance: a watched root carries every child class', (pair) => {
  const db = useSyncPair(pair, [Listing, FlatListing, ShopListing]);
  beforeAll(async () => {
    const own = { code: 'R', title: 'remote own', place: { street: 'x', city: null } };
    await db.remote.getRepository(ShopListing).save(own);
  });

  it('each child row arrives as its class, with its own and embedded columns; bulk and soft writes too', async () => {
    const { local, remote } = db;
    const flats = local.getRepository(FlatListing);
    const shops = local.getRepository(ShopListing);
    await flats.save({ code: 'F1', title: 'flat', rooms: 3, place: { street: 'Main', city: 'Oslo' } });
    const shop = await shops.save({
      code: 'S1',
      title: 'shop',
      trade: 'books',
      place: { street: 'Side', city: null },
    });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    expect(await listings(remote)).toEqual(expect.arrayContaining(await listings(local)));

    await flats.update({ code: 'F1' }, { rooms: 4 });
    await shops.softRemove(shop);
    const second = await synchronize({ local, remote });
    expect(second.counts.listing).toMatchObject({ updated: 2 });
    expect(await listings(remote)).toEqual(expect.arrayContaining(await listings(local)));
    expect(await listings(remote)).toContainEqual(expect.objectContaining({ code: 'F1', rooms: 4 }));
    expect(await listings(remote)).toContainEqual(expect.objectContaining({ code: 'S1', removed: true }));
  });
});
