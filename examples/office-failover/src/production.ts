import { makeDataSource } from './make-data-source';

/** The production database (on the web). */
export default makeDataSource('production.sqlite');
