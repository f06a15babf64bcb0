import type { Logger } from 'typeorm';

/**
 * A TypeORM logger that keeps every statement a DataSource sends (`logging: ['query']`), so a test can
 * see which statements a call made. Logs of several DataSources may share one list, each with its own
 * `tag` before every statement, to show the order across them.
 */
export class QueryLog implements Logger {
  constructor(
    readonly queries: string[] = [],
    private readonly tag = '',
  ) {}
  logQuery(query: string): void {
    this.queries.push(this.tag + query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
