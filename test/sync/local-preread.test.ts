import 'reflect-metadata';
import { keyOfEntity } from '../../src/core/entity-key';
import { EntityMappings, type EntityMapping } from '../../src/sync/entity-mapping';
import { LocalPreread } from '../../src/sync/local-preread';
import { selectJoinRows } from '../../src/sync/m2m-reconcile';
import { readLocalRows } from '../../src/sync/row-reader';
import { sideSql } from '../../src/sync/sync-sql';
import { describeEachPair } from '../support/describe-dialects';
import { Post, Tag, useSyncPair } from '../support/sync-fixtures';

describeEachPair('LocalPreread (a batch’s local reads, started early)', (pair) => {
  const db = useSyncPair(pair);
  let mapping: EntityMapping;
  let keys: string[];

  beforeAll(async () => {
    const [red, blue] = await db.local.getRepository(Tag).save([{ label: 'red' }, { label: 'blue' }]);
    const posts = await db.local.getRepository(Post).save([
      { title: 'one', tags: [red as Tag] },
      { title: 'two', tags: [red as Tag, blue as Tag] },
      { title: 'three', tags: [blue as Tag] },
    ]);
    const metadata = db.local.getMetadata(Post);
    keys = posts.map((p) => keyOfEntity(metadata, p) as string);
    mapping = new EntityMappings(db.local, db.remote).byName('fx_post') as EntityMapping;
  });

  it('hands out the rows and join rows it read, exactly as a read at that time gives them', async () => {
    const side = sideSql(db.local);
    const [one, two] = keys as [string, string];
    const preread = LocalPreread.start(side, new Map([[mapping, [one, two]]]));
    const junction = mapping.junctions[0];
    if (junction === undefined) throw new Error('fx_post has a join table');
    expect((await preread.rowsOf(mapping, [two]))?.get(two)).toEqual(
      (await readLocalRows(side, mapping, [two])).get(two),
    );
    const rows = await preread.joinRowsOf(junction, [two]);
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(expect.arrayContaining(await selectJoinRows(side, junction, 'local', [two])));
    const all = await preread.joinRowsOf(junction, [two, one]);
    expect(all).toHaveLength(3);
    expect(all).toEqual(expect.arrayContaining(await selectJoinRows(side, junction, 'local', [one, two])));
  });

  it('covers only the keys it read: anything else is left to a read of its own', async () => {
    const side = sideSql(db.local);
    const [one, two, three] = keys as [string, string, string];
    const preread = LocalPreread.start(side, new Map([[mapping, [one, two]]]));
    const junction = mapping.junctions[0];
    if (junction === undefined) throw new Error('fx_post has a join table');
    expect(await preread.rowsOf(mapping, [one, three])).toBeUndefined();
    expect(await preread.joinRowsOf(junction, [three])).toBeUndefined();
    const tagMapping = new EntityMappings(db.local, db.remote).byName('fx_tag') as EntityMapping;
    expect(await preread.rowsOf(tagMapping, [])).toBeUndefined();
  });
});
