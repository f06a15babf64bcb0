// The zone must be set before any module that creates dates is loaded: the import below runs first.
import './engine-types-tz-new-york';
import { typeRoundTripSuite } from './engine-types-suite';

typeRoundTripSuite('America/New_York', 300);
