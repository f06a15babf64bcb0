import 'reflect-metadata';
import {
  Column,
  type DataSource,
  Entity,
  ManyToOne,
  PrimaryGeneratedColumn,
  type EntityTarget,
  type Logger,
  Tree,
  TreeChildren,
  TreeParent,
} from 'typeorm';
import { Synchro } from '../../src/capture/decorators';
import { ApplyFailedError } from '../../src/core/errors';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import { useSyncPair } from '../support/sync-fixtures';

/** The statements a DataSource runs, with their values, taken (and cleared) by the test. */
const statements = (() => {
  let seen: { sql: string; values: unknown[] }[] = [];
  const logger: Logger = {
    logQuery: (sql, values) => void seen.push({ sql, values: Array.isArray(values) ? values : [] }),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  const taken = () => {
    const out = seen;
    seen = [];
    return out;
  };
  return { logger, taken };
})();

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

@Synchro()
@Entity()
@Tree('closure-table')
class UuidClosureNode {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() name!: string;
  @TreeParent() parent?: UuidClosureNode | null;
  @TreeChildren() children!: UuidClosureNode[];
}

@Synchro()
@Entity()
@Tree('materialized-path')
class UuidPathNode {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() name!: string;
  @TreeParent() parent?: UuidPathNode | null;
  @TreeChildren() children!: UuidPathNode[];
}

/** Not a tree: it only references a node, which makes the node a target to map, not a row to write. */
@Synchro()
@Entity()
class Shelf {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @ManyToOne(() => ClosureNode, { nullable: false }) node!: ClosureNode;
}

type TreeNode = ClosureNode | PathNode;

/** The tree as TypeORM's own tree queries see it: every node's ancestors and descendants, by name. */
async function treeView(ds: DataSource, entity: EntityTarget<{ name: string }>): Promise<unknown> {
  const repo = ds.getTreeRepository(entity);
  const names = (nodes: { name: string }[]) => nodes.map((n) => n.name).sort();
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
  const db = useSyncPair(pair, [ClosureNode, PathNode, ListNode, UuidClosureNode, UuidPathNode, Shelf], {
    remote: { logging: ['query'], logger: statements.logger },
  });
  beforeAll(async () => {
    // Rows of the remote's own, so that the synced nodes get other ids there.
    await db.remote.getTreeRepository(ClosureNode).save({ name: 'remote own' });
    await db.remote.getTreeRepository(PathNode).save({ name: 'remote own' });
  });

  it.each([
    ['closure-table', ClosureNode],
    ['materialized-path', PathNode],
  ] as const)(
    '%s: new nodes, a subtree moved, a leaf removed: the tree queries read the same on both sides',
    async (_, entity) => {
      const { local, remote } = db;
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

  it('materialized-path: each path is the remote ids from the root, as TypeORM writes them', async () => {
    const { local, remote } = db;
    const repo = local.getTreeRepository(PathNode);
    const top = await repo.save({ name: 'top' });
    await repo.save({ name: 'below', parent: await repo.save({ name: 'middle', parent: top }) });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    const e = (name: string) => remote.driver.escape(name);
    const rows = (await remote.query(
      `SELECT ${e('id')} AS id, ${e('name')} AS name, ${e('mpath')} AS mpath FROM ${e('path_node')}`,
    )) as { id: number | string; name: string; mpath: string }[];
    const id = (name: string) => String(rows.find((r) => r.name === name)?.id);
    const paths = Object.fromEntries(rows.map((r) => [r.name, r.mpath]));
    expect([paths.top, paths.middle, paths.below]).toEqual([
      `${id('top')}.`,
      `${id('top')}.${id('middle')}.`,
      `${id('top')}.${id('middle')}.${id('below')}.`,
    ]);
    expect(id('top')).not.toBe(String(top.id));
  });

  it.each([
    ['closure-table', UuidClosureNode],
    ['materialized-path', UuidPathNode],
  ] as const)(
    '%s with UUID keys, one object per batch, a commit per batch, a deeper level and a move',
    async (_, entity) => {
      const { local, remote } = db;
      const repo = local.getTreeRepository<TreeNode>(entity);
      const first = await repo.save({ name: 'first' });
      const second = await repo.save({ name: 'second', parent: first });
      await repo.save({ name: 'third', parent: second });
      expect((await synchronize({ local, remote, batchSize: 1, commit: 'batch' })).status).toBe('synced');
      expect(await treeView(remote, entity)).toEqual(await treeView(local, entity));
      await repo.save({ name: 'fourth', parent: await repo.findOneByOrFail({ name: 'third' }) });
      await repo.save({ ...second, parent: await repo.save({ name: 'new root' }) });
      expect((await synchronize({ local, remote, batchSize: 1 })).status).toBe('synced');
      expect(await treeView(remote, entity)).toEqual(await treeView(local, entity));
      expect(await treeView(remote, entity)).toMatchObject({
        fourth: { ancestors: ['fourth', 'new root', 'second', 'third'] },
      });
    },
  );

  it('rewrites the tree data of the rows it writes only: not of a node it only maps, nor of siblings', async () => {
    const { local, remote } = db;
    const repo = local.getTreeRepository(ClosureNode);
    const hub = await repo.save({ name: 'hub' });
    await repo.save(Array.from({ length: 30 }, (_, i) => ({ name: `spoke ${i}`, parent: hub })));
    await synchronize({ local, remote });
    const closureWrites = () =>
      statements.taken().filter((q) => /^\s*(INSERT|DELETE)\b[^]*closure_node_closure/i.test(q.sql));

    statements.taken();
    await local.getRepository(Shelf).save({ name: 'shelf', node: hub });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    expect(closureWrites()).toEqual([]);

    await repo.save({ name: 'one more spoke', parent: hub });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    // One node: its own closure rows deleted (1 key) and inserted (itself and the hub: 2 rows).
    expect(closureWrites().map((q) => q.values.flat(Infinity).length)).toEqual([1, 4]);
  });

  it('an adjacency-list tree is synchronized: its parent is an ordinary foreign key', async () => {
    const { local, remote } = db;
    const repo = local.getRepository(ListNode);
    await repo.save({ name: 'child', parent: await repo.save({ name: 'root' }) });
    expect((await synchronize({ local, remote })).status).toBe('synced');
    const child = await remote
      .getRepository(ListNode)
      .findOne({ where: { name: 'child' }, relations: { parent: true } });
    expect(child?.parent?.name).toBe('root');
  });
});

describeEachPair('trees: parent links that loop after a two-sided move', (pair) => {
  const db = useSyncPair(pair, [ClosureNode, PathNode, ListNode, Shelf]);

  it('APPLY_FAILED naming the entity and the loop, instead of a query that never ends; nothing applied', async () => {
    const { local, remote } = db;
    const repo = local.getTreeRepository(ClosureNode);
    const [x, y] = [await repo.save({ name: 'x' }), await repo.save({ name: 'y' })];
    await synchronize({ local, remote });
    const there = remote.getTreeRepository(ClosureNode);
    await there.save({
      ...(await there.findOneByOrFail({ name: 'y' })),
      parent: await there.findOneByOrFail({ name: 'x' }),
    });
    await repo.save({ ...x, parent: y });

    const error = await synchronize({ local, remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyFailedError);
    expect(error).toMatchObject({ code: 'APPLY_FAILED', entity: 'closure_node' });
    expect((error as Error).message).toMatch(/parent links above node .* loop/);
    const xThere = await there.findOneOrFail({ where: { name: 'x' }, relations: { parent: true } });
    expect(xThere.parent).toBeNull();
  });
});
