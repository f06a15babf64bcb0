import 'reflect-metadata';
import { runInNoLogContext } from '../../src/capture/no-log-context';
import { synchronize } from '../../src/sync/synchronizer';
import { describeEachPair } from '../support/describe-dialects';
import {
  Author,
  Book,
  Country,
  Customer,
  Membership,
  Order,
  Post,
  rowsOf,
  Tag,
  useSyncPair,
} from '../support/sync-fixtures';

describeEachPair('engine foreign keys', (pair) => {
  const db = useSyncPair(pair);

  it('creates FK targets the remote lacks first (watched or not) and maps them to remote keys', async () => {
    // Remote ids diverge from local ones, so a copied raw FK value would point at the wrong row.
    await runInNoLogContext(() =>
      db.remote.getRepository(Customer).save({ email: 'remote-only@x', name: 'R' }),
    );
    const pl = await db.local.getRepository(Country).save({ code: 'PL', name: 'Poland' });
    const customer = await runInNoLogContext(() =>
      db.local.getRepository(Customer).save({ email: 'fk@x', name: 'FK', country: pl }),
    );
    await db.local.getRepository(Order).save({ number: 'O-1', total: '12.50', customer });
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_order).toMatchObject({ inserted: 1 });
    const orders = await db.remote
      .getRepository(Order)
      .find({ relations: { customer: { country: true } }, order: { id: 'ASC' } });
    expect(orders.map((o) => [o.number, o.customer?.email, o.customer?.country?.name])).toEqual([
      ['O-1', 'fk@x', 'Poland'],
    ]);
  });

  it('maps existing targets without refreshing unwatched ones', async () => {
    await db.local.getRepository(Country).update({ code: 'PL' }, { name: 'Polska' });
    const customer = await db.local.getRepository(Customer).findOneByOrFail({ email: 'fk@x' });
    await db.local.getRepository(Order).save({ number: 'O-2', total: '1.00', customer });
    await synchronize({ local: db.local, remote: db.remote });
    expect((await db.remote.getRepository(Country).findOneByOrFail({ code: 'PL' })).name).toBe('Poland');
    expect(await db.remote.getRepository(Customer).countBy({ email: 'fk@x' })).toBe(1);
    expect(await db.remote.getRepository(Order).count()).toBe(2);
  });

  it('handles self-references, including rows created in the same batch and a row pointing at itself', async () => {
    const repo = db.local.getRepository(Post);
    const root = await repo.save({ title: 'root' });
    const child = await repo.save({ title: 'child', parent: root });
    await repo.save({ title: 'grandchild', parent: child });
    const selfish = await repo.save({ title: 'self' });
    selfish.parent = selfish;
    await repo.save(selfish);
    await synchronize({ local: db.local, remote: db.remote });
    const posts = await rowsOf(db.remote, Post, 'title', ['parent']);
    expect(posts.map((p) => [p.title, p.parent?.title ?? null])).toEqual([
      ['child', 'root'],
      ['grandchild', 'child'],
      ['root', null],
      ['self', 'self'],
    ]);
  });

  it('handles foreign-key cycles (A → B → A) without recursion', async () => {
    const author = await db.local.getRepository(Author).save({ name: 'Lem' });
    const book = await db.local.getRepository(Book).save({ title: 'Solaris', author });
    author.favorite = book;
    await db.local.getRepository(Author).save(author);
    await synchronize({ local: db.local, remote: db.remote });
    const [a] = await rowsOf(db.remote, Author, 'id', ['favorite']);
    const [b] = await rowsOf(db.remote, Book, 'id', ['author']);
    expect([a?.name, a?.favorite?.title, b?.title, b?.author?.name]).toEqual([
      'Lem',
      'Solaris',
      'Solaris',
      'Lem',
    ]);
  });

  it('pages through the log with small batches; targets in later pages are created once', async () => {
    const customers = await db.local
      .getRepository(Customer)
      .save(Array.from({ length: 6 }, (_, i) => ({ email: `page${i}@x`, name: `P${i}` })));
    // Orders are logged before the customers they point at are updated (so the customers' last logs come later).
    await db.local
      .getRepository(Order)
      .save(customers.map((customer, i) => ({ number: `PG-${i}`, total: '3.00', customer })));
    await db.local.getRepository(Customer).save(customers.map((c) => ({ ...c, name: `${c.name}!` })));
    const progress: number[] = [];
    await synchronize({
      local: db.local,
      remote: db.remote,
      batchSize: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(progress.length).toBeGreaterThan(3);
    const remote = await rowsOf(db.remote, Customer, 'email');
    const paged = remote.filter((c) => c.email.startsWith('page'));
    expect(paged.map((c) => c.name)).toEqual(['P0!', 'P1!', 'P2!', 'P3!', 'P4!', 'P5!']);
    const orders = await rowsOf(db.remote, Order, 'number', ['customer']);
    expect(orders.filter((o) => o.number.startsWith('PG-')).map((o) => o.customer?.email)).toEqual(
      customers.map((c) => c.email),
    );
  });

  it('explicit junction entities keyed by two foreign keys get their keys translated and are updated in place', async () => {
    // Remote ids diverge from local ones.
    await runInNoLogContext(() =>
      db.remote.getRepository(Tag).save([{ label: 'pad-1' }, { label: 'pad-2' }]),
    );
    const customer = await db.local.getRepository(Customer).save({ email: 'member@x', name: 'M' });
    const tag = await db.local.getRepository(Tag).save({ label: 'club' });
    await db.local.getRepository(Membership).save({ customerId: customer.id, tagId: tag.id, role: 'member' });
    await synchronize({ local: db.local, remote: db.remote });
    await db.local.getRepository(Membership).save({ customerId: customer.id, tagId: tag.id, role: 'chair' });
    const result = await synchronize({ local: db.local, remote: db.remote });
    expect(result.counts.fx_membership).toMatchObject({ inserted: 0, updated: 1 });
    const rows = await db.remote.getRepository(Membership).find({ relations: { customer: true, tag: true } });
    expect(rows.map((m) => [m.customer?.email, m.tag?.label, m.role])).toEqual([
      ['member@x', 'club', 'chair'],
    ]);
  });
});
