import { existsSync } from 'node:fs';
import { MirrorSpill } from '../../src/sync/mirror-spill';
import type { KeyPair } from '../../src/sync/id-map-store';

function pairs(from: number, count: number): KeyPair[] {
  return Array.from({ length: count }, (_, i) => ({
    localKey: JSON.stringify({ id: String(from + i) }),
    remoteKey: JSON.stringify({ id: String(1000 + from + i) }),
  }));
}

async function drained(spill: MirrorSpill): Promise<[string, KeyPair[]][]> {
  const out: [string, KeyPair[]][] = [];
  await spill.drain(async (entity, list) => {
    out.push([entity, list]);
  });
  return out;
}

describe('MirrorSpill (pending local id-map mirror rows of a run)', () => {
  it('keeps pairs in memory below the threshold', () => {
    const spill = new MirrorSpill(10);
    const mirror = new Map([['item', pairs(0, 9)]]);
    spill.maybeSpill(mirror);
    expect(mirror.get('item')).toHaveLength(9);
    expect(spill.hasSpilled).toBe(false);
  });

  it('moves pairs to a file past the threshold and hands every one back, in order, per entity', async () => {
    const spill = new MirrorSpill(10);
    const mirror = new Map([
      ['item', pairs(0, 8)],
      ['tag', pairs(100, 4)],
    ]);
    spill.maybeSpill(mirror);
    expect(mirror.size).toBe(0);
    expect(spill.hasSpilled).toBe(true);
    mirror.set('item', pairs(8, 12));
    spill.maybeSpill(mirror);
    const out = await drained(spill);
    const items = out.filter(([e]) => e === 'item').flatMap(([, list]) => list);
    const tags = out.filter(([e]) => e === 'tag').flatMap(([, list]) => list);
    expect(items).toEqual(pairs(0, 20));
    expect(tags).toEqual(pairs(100, 4));
    expect(spill.hasSpilled).toBe(false);
    expect(await drained(spill)).toEqual([]);
  });

  it('deletes its file on dispose, and a disposed spill drains nothing', async () => {
    const spill = new MirrorSpill(1);
    spill.maybeSpill(new Map([['item', pairs(0, 3)]]));
    const dir = (spill as unknown as { dir: string }).dir;
    expect(existsSync(dir)).toBe(true);
    spill.dispose();
    expect(existsSync(dir)).toBe(false);
    expect(await drained(spill)).toEqual([]);
  });
});
