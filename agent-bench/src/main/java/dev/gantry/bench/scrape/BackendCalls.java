package dev.gantry.bench.scrape;

import dev.gantry.backend.Backend;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Backend} that counts, per calling thread's name, every call into it and into the stores
 * it hands out (each of which reads or writes the database), then passes the call on unchanged. The
 * scrape benchmark wraps the agent's backend in it to prove that a scrape of {@code /metrics},
 * served on the health server's thread, reads nothing from the database.
 */
public final class BackendCalls {
  private final Map<String, LongAdder> byThread = new ConcurrentHashMap<>();
  private final Backend backend;

  public BackendCalls(Backend delegate) {
    this.backend = (Backend) counting(Backend.class, delegate);
  }

  /** The counting backend; closing it closes the delegate. */
  public Backend backend() {
    return backend;
  }

  /** Calls made so far on threads named {@code threadName}. */
  public long on(String threadName) {
    LongAdder calls = byThread.get(threadName);
    return calls == null ? 0 : calls.sum();
  }

  private Object counting(Class<?> type, Object target) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return invoke(method, target, args);
          }
          byThread
              .computeIfAbsent(Thread.currentThread().getName(), name -> new LongAdder())
              .increment();
          Object result = invoke(method, target, args);
          Class<?> returned = method.getReturnType();
          if (result != null && isStore(returned)) {
            return counting(returned, result);
          }
          return result;
        };
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /** A store of the backend (FlowStore, RunStore, RunSearch, ...): an interface in its package. */
  private static boolean isStore(Class<?> type) {
    return type.isInterface() && type.getPackageName().equals(Backend.class.getPackageName());
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
