package io.featurepipe.transforms.definitions;

import io.featurepipe.transforms.expr.RowFunction;
import java.lang.reflect.Modifier;

/** Checks that a group's {@code custom: {class: ...}} can be created as a {@link RowFunction}. */
final class CustomClasses {
  private CustomClasses() {}

  /**
   * Null when {@code className} names a public, concrete {@link RowFunction} with a public
   * no-argument constructor on the thread's context class loader; else why not. The class is loaded
   * but not initialized, and no instance is created.
   */
  static String problem(String className) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = CustomClasses.class.getClassLoader();
    }
    Class<?> c;
    try {
      c = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return "class " + className + " is not on the classpath";
    }
    if (!RowFunction.class.isAssignableFrom(c)) {
      return "class " + className + " does not implement " + RowFunction.class.getName();
    }
    if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
      return "class " + className + " is abstract";
    }
    if (!Modifier.isPublic(c.getModifiers())) {
      return "class " + className + " is not public";
    }
    try {
      c.getConstructor();
    } catch (NoSuchMethodException | SecurityException e) {
      return "class " + className + " has no public no-argument constructor";
    }
    return null;
  }
}
