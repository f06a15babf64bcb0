// The zone must be set before any module that creates dates is loaded: the import below runs first.
import './engine-types-tz-warsaw';
import { typeRoundTripSuite } from './engine-types-suite';

typeRoundTripSuite('Europe/Warsaw', -60);
