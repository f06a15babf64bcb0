import { makeDataSource } from './make-data-source';

/** The fallback copy in the office. */
export default makeDataSource('office.sqlite');
