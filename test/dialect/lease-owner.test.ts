import { leaseOwnerGone, newLeaseOwner } from '../../src/dialect/lease-owner';

describe('lease owner strings', () => {
  it('name host tag, pid and a nonce within the 36 characters of the owner column', () => {
    const owner = newLeaseOwner();
    expect(owner.length).toBeLessThanOrEqual(36);
    expect(owner).toMatch(new RegExp(`^[0-9a-f]{12}\\.${process.pid}\\.[0-9a-f]{12}$`));
    expect(newLeaseOwner()).not.toBe(owner);
    expect(newLeaseOwner().split('.')[0]).toBe(owner.split('.')[0]);
  });

  it('count this process as gone only for owners it does not hold', () => {
    const owner = newLeaseOwner();
    expect(leaseOwnerGone(owner, new Set([owner]))).toBe(false);
    expect(leaseOwnerGone(owner, new Set())).toBe(true);
  });

  it.each([
    ['pid 0 (kill would signal the process group)', '.0.'],
    ['a negative pid (kill would signal a group)', '.-1.'],
    ['a pid beyond 32 bits', '.4294967296.'],
  ])('never signal with %s: the owner counts as alive', (_, middle) => {
    const [tag, , nonce] = newLeaseOwner().split('.');
    const kill = jest.spyOn(process, 'kill');
    try {
      expect(leaseOwnerGone(`${tag}${middle}${nonce}`, new Set())).toBe(false);
      expect(kill).not.toHaveBeenCalled();
    } finally {
      kill.mockRestore();
    }
  });
});
