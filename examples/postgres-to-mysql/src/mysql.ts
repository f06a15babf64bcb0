import { mysql } from './data-sources';

export default mysql;
