// An R2Bucket that counts the operations R2 bills (Class A: put, list; Class B: get, head; delete
// free) and the bytes it stores, so that the meter archive's cost can be measured (bench/lib/cost.mjs).

import { isolateStats } from '../isolate-stats';

/** The operations counted one per call, and their counters. */
const REQUEST_COUNTERS = new Map<PropertyKey, 'r2Gets' | 'r2Heads' | 'r2Lists'>([
  ['get', 'r2Gets'],
  ['head', 'r2Heads'],
  ['list', 'r2Lists'],
]);

/**
 * `bucket`, each put/get/head/list/delete counted into isolateStats when called (R2 bills a
 * request whether or not it finds or writes an object), and each stored object's size added to
 * r2BytesPut. Behaves exactly like `bucket` otherwise. Multipart uploads pass through uncounted:
 * the CSMS writes each archive in one put.
 */
export function countingR2(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const call = (...args: unknown[]) => Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      switch (prop) {
        case 'put':
          return async (...args: unknown[]) => {
            isolateStats.r2Puts += 1;
            const stored = (await call(...args)) as R2Object | null;
            if (stored) isolateStats.r2BytesPut += stored.size;
            return stored;
          };
        case 'delete':
          return (...args: unknown[]) => {
            // Free, but counted per key: what an archive run removes.
            isolateStats.r2Deletes += Array.isArray(args[0]) ? args[0].length : 1;
            return call(...args);
          };
        default: {
          const counter = REQUEST_COUNTERS.get(prop);
          if (counter === undefined) return value.bind(target);
          return (...args: unknown[]) => {
            isolateStats[counter] += 1;
            return call(...args);
          };
        }
      }
    },
  });
}
