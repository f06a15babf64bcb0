import type { Logger } from 'typeorm';

/**
 * A TypeORM logger that keeps every statement a DataSource sends (`logging: ['query']`), so a test can
 * see which statements a call made.
 */
export class QueryLog implements Logger {
  readonly queries: string[] = [];
  logQuery(query: string): void {
    this.queries.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
