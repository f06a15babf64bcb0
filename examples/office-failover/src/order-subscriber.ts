import { EventSubscriber, type EntitySubscriberInterface, type InsertEvent } from 'typeorm';
import { runInNoLogContext } from 'typeorm-synchro';
import { Customer, Order } from './entities';

/**
 * Keeps Customer.balance up to date, like the seed's post_save signal handler. Its write is made in
 * a no-log context: the balance is computed on each database, so logging it would overwrite the
 * other side's edits of the customer (the seed README's "bad scenario").
 */
@EventSubscriber()
export class OrderSubscriber implements EntitySubscriberInterface<Order> {
  listenTo() {
    return Order;
  }

  async afterInsert(event: InsertEvent<Order>): Promise<void> {
    const customerId = event.entity.customer?.id;
    if (customerId === undefined) return;
    await runInNoLogContext(() =>
      event.manager.increment(Customer, { id: customerId }, 'balance', Number(event.entity.amount)),
    );
  }
}
