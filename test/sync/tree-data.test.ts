import 'reflect-metadata';
import {
  Column,
  type DataSource,
  Entity,
  PrimaryGeneratedColumn,
  Tree,
  TreeChildren,
  TreeParent,
} from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { SynchroSubscriber } from '../../src/capture/synchro-subscriber';
import { synchroEntities } from '../../src/store/synchro-entities';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { createTestDatabase, openDataSource, type TestDatabase } from '../support/test-database';

@Synchro()
@Entity()
@Tree('closure-table')
class ClosureNode {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent?: ClosureNode | null;
  @TreeChildren() children!: ClosureNode[];
}

@Synchro()
@Entity()
@Tree('materialized-path')
class PathNode {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent?: PathNode | null;
  @TreeChildren() children!: PathNode[];
}

@Synchro()
@Entity()
@Tree('adjacency-list')
class ListNode {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @TreeParent() parent?: ListNode | null;
  @TreeChildren() children!: ListNode[];
}

type TreeNode = ClosureNode | PathNode;

/** The tree as TypeORM's own tree queries see it: every node's ancestors and descendants, by name. */
async function treeView(ds: DataSource, entity: typeof ClosureNode | typeof PathNode): Promise<unknown> {
  const repo = ds.getTreeRepository<TreeNode>(entity);
  const names = (nodes: TreeNode[]) => nodes.map((n) => n.name).sort();
  const view: Record<string, unknown> = {};
  for (const node of await repo.find()) {
    if (node.name === 'remote own') continue;
    view[node.name] = {
      ancestors: names(await repo.findAncestors(node)),
      descendants: names(await repo.findDescendants(node)),
    };
  }
  return view;
}

describeEachPair('trees: the derived data TypeORM keeps is rebuilt on the remote', (pair) => {
  let dbs: TestDatabase[];
  let local: DataSource;
  let remote: DataSource;
  beforeAll(async () => {
    dbs = [await createTestDatabase(pair.source), await createTestDatabase(pair.target)];
    const extra = {
      entities: [ClosureNode, PathNode, ListNode, ...synchroEntities],
      subscribers: [SynchroSubscriber],
    };
    local = await openDataSource(dbs[0]!, extra);
    remote = await openDataSource(dbs[1]!, extra);
    // Rows of the remote's own, so that the synced nodes get other ids there.
    await remote.getTreeRepository(ClosureNode).save({ name: 'remote own' });
    await remote.getTreeRepository(PathNode).save({ name: 'remote own' });
  });
  afterAll(async () => {
    await local?.destroy();
    await remote?.destroy();
    for (const db of dbs ?? []) await db.drop();
  });

  it.each([
    ['closure-table', ClosureNode],
    ['materialized-path', PathNode],
  ] as const)(
    '%s: new nodes, a subtree moved, a leaf removed: the tree queries read the same on both sides',
    async (_, entity) => {
      const repo = local.getTreeRepository<TreeNode>(entity);
      const root = await repo.save({ name: 'root' });
      const branch = await repo.save({ name: 'branch', parent: root });
      await repo.save({ name: 'leaf', parent: branch });
      await repo.save({ name: 'other root' });
      expect((await synchronize({ local, remote })).status).toBe('synced');
      expect(await treeView(remote, entity)).toEqual(await treeView(local, entity));
      expect(await treeView(remote, entity)).toMatchObject({
        leaf: { ancestors: ['branch', 'leaf', 'root'], descendants: ['leaf'] },
        root: { descendants: ['branch', 'leaf', 'root'] },
      });

      // Move the branch (and with it the leaf, whose own row does not change) under the other root.
      const other = await repo.findOneByOrFail({ name: 'other root' });
      await repo.save({ ...branch, parent: other });
      expect((await synchronize({ local, remote })).status).toBe('synced');
      expect(await treeView(remote, entity)).toEqual(await treeView(local, entity));
      expect(await treeView(remote, entity)).toMatchObject({
        leaf: { ancestors: ['branch', 'leaf', 'other root'] },
        root: { descendants: ['root'] },
      });

      await repo.remove(await repo.findOneByOrFail({ name: 'leaf' }));
      expect((await synchronize({ local, remote })).status).toBe('synced');
      expect(await treeView(remote, entity)).toEqual(await treeView(local, entity));
      expect(await treeView(remote, entity)).toMatchObject({ branch: { descendants: ['branch'] } });
    },
  );

  it('materialized-path: each path is the remote ids from the root, as TypeORM writes them (after the move)', async () => {
    const rows = (await remote.query(
      `SELECT ${remote.driver.escape('id')} AS id, ${remote.driver.escape('name')} AS name, ${remote.driver.escape('mpath')} AS mpath FROM ${remote.driver.escape('path_node')}`,
    )) as { id: number | string; name: string; mpath: string }[];
    const id = (name: string) => String(rows.find((r) => r.name === name)?.id);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.mpath]))).toEqual({
      'remote own': `${id('remote own')}.`,
      root: `${id('root')}.`,
      'other root': `${id('other root')}.`,
      branch: `${id('other root')}.${id('branch')}.`,
    });
    expect(id('root')).not.toBe(
      String((await local.getRepository(PathNode).findOneByOrFail({ name: 'root' })).id),
    );
  });

  it('an adjacency-list tree is synchronized: its parent is an ordinary foreign key', async () => {
    const repo = local.getRepository(ListNode);
    await repo.save({ name: 'child', parent: await repo.save({ name: 'root' }) });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    const child = await remote
      .getRepository(ListNode)
      .findOne({ where: { name: 'child' }, relations: { parent: true } });
    expect(child?.parent?.name).toBe('root');
  });
});
