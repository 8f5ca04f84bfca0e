// A Durable Object namespace whose stubs count the calls made through them (each RPC method call
// and each fetch is a billed request to the object), into isolateStats.

import { isolateStats } from './isolate-stats';

type Counter = 'chargerRpcCalls' | 'fleetWriterRpcCalls';

/** `namespace`, but every method called on a stub it gives adds one to `isolateStats[counter]`. */
// `any`: a namespace of any object class; the stubs keep their own types.
export function countingNamespace<T extends DurableObjectNamespace<any>>(namespace: T, counter: Counter): T {
  const wrapStub = (stub: object) =>
    new Proxy(stub, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          isolateStats[counter] += 1;
          // Reflect.apply: an RPC method's own `apply` would be taken for a remote method of that name.
          return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        };
      },
    });
  return new Proxy(namespace, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'get' || prop === 'getByName') {
        return (...args: unknown[]) => wrapStub(Reflect.apply(value as (...a: unknown[]) => object, target, args));
      }
      return value.bind(target);
    },
  });
}
