import { postgres } from './data-sources';

export default postgres;
