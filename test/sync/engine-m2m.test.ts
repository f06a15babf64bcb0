import 'reflect-metadata';
import { Column, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { FIXTURE_ENTITIES, Post, rowsOf, Tag, useSyncPair, type SyncPair } from '../support/sync-fixtures';

async function remoteTags(db: SyncPair, title: string): Promise<string[]> {
  const post = await db.remote
    .getRepository(Post)
    .findOneOrFail({ where: { title }, relations: { tags: true } });
  return (post.tags ?? []).map((t) => t.label).sort();
}

describeEachPair('engine many-to-many', (pair) => {
  const db = useSyncPair(pair);

  it('an inserted owner carries its join rows; related rows are created or matched', async () => {
    await runInNoLogContext(() => db.remote.getRepository(Tag).save({ label: 'b' }));
    const tags = await db.local.getRepository(Tag).save([{ label: 'a' }, { label: 'b' }, { label: 'c' }]);
    await db.local.getRepository(Post).save({ title: 'p1', tags: [tags[0] as Tag, tags[1] as Tag] });
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_post).toMatchObject({ inserted: 1, m2m: 1 });
    expect(await remoteTags(db, 'p1')).toEqual(['a', 'b']);
    expect((await rowsOf(db.remote, Tag, 'label')).map((t) => t.label)).toEqual(['a', 'b', 'c']);
  });

  it('applies the differences when the relation changes, and clears it', async () => {
    const repo = db.local.getRepository(Post);
    const post = await repo.findOneOrFail({ where: { title: 'p1' }, relations: { tags: true } });
    const c = await db.local.getRepository(Tag).findOneByOrFail({ label: 'c' });
    post.tags = [...(post.tags ?? []).filter((t) => t.label !== 'a'), c];
    await repo.save(post);
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_post).toMatchObject({ m2m: 1 });
    expect(await remoteTags(db, 'p1')).toEqual(['b', 'c']);
    post.tags = [];
    await repo.save(post);
    await synchronize({ local: db.local, remote: db.remote });
    expect(await remoteTags(db, 'p1')).toEqual([]);
  });

  it('keeps remote join rows of owners that were not synced', async () => {
    const remoteTag = await db.remote.getRepository(Tag).findOneByOrFail({ label: 'a' });
    await runInNoLogContext(() =>
      db.remote.getRepository(Post).save({ title: 'remote-own', tags: [remoteTag] }),
    );
    await db.local.getRepository(Post).save({ title: 'p2', tags: [] });
    await synchronize({ local: db.local, remote: db.remote });
    expect(await remoteTags(db, 'remote-own')).toEqual(['a']);
  });
});

/** An application-keyed owner whose join table has no foreign keys, so it can hold orphan rows. */
@Synchro()
@Entity('fx_shelf')
class Shelf {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  code!: string;

  @Column({ type: 'varchar', length: 40 })
  name!: string;

  @ManyToMany(() => Tag, { createForeignKeyConstraints: false })
  @JoinTable({ name: 'fx_shelf_tags' })
  tags?: Tag[];
}

describeEachPair('engine many-to-many without join-table foreign keys', (pair) => {
  const db = useSyncPair(pair, [...FIXTURE_ENTITIES, Shelf]);

  it('a new owner still gets exactly its join rows when the remote join table holds orphans of its key', async () => {
    const [kept, orphan] = await runInNoLogContext(() =>
      db.remote.getRepository(Tag).save([{ label: 'kept' }, { label: 'orphan' }]),
    );
    // No foreign key: a join row naming an owner the remote does not have (left by a deleted shelf).
    await runInNoLogContext(() =>
      db.remote
        .createQueryBuilder()
        .insert()
        .into('fx_shelf_tags')
        .values({ fxShelfCode: 's1', fxTagId: orphan!.id })
        .execute(),
    );
    const local = await db.local.getRepository(Tag).save({ label: 'kept' });
    await db.local.getRepository(Shelf).save({ code: 's1', name: 'first', tags: [local] });
    await synchronize({ local: db.local, remote: db.remote });
    const shelf = await db.remote
      .getRepository(Shelf)
      .findOneOrFail({ where: { code: 's1' }, relations: { tags: true } });
    expect((shelf.tags ?? []).map((t) => t.id)).toEqual([kept!.id]);
  });
});
