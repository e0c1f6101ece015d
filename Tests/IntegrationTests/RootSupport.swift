import Foundation

/// Root integration tests run only as root (CI runs as root, inside the private
/// network and mount namespace that scripts/test.sh creates).
let isRoot = getuid() == 0
