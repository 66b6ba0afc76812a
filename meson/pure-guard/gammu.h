/*
 * A guard, not libevent's, libpq's or Gammu's header: the helper layer
 * and the pure core are compiled with this folder first on their include
 * path, so an I/O library's header included there stops the build.  Such
 * code belongs in the store, transport or daemon layer (docs/architecture.md).
 */
#error "gammu.h is an I/O library's header: the helper layer and the pure core must not include it (docs/architecture.md)"
