import LoopsealCrypto
import LoopsealSystem
import Testing

@Suite("process hardening")
struct HardeningTests {
    @Test("protectProcess makes the process non-dumpable and disables core dumps")
    func nonDumpable() throws {
        #expect(Hardening.protectProcess())
        #expect(Hardening.isProcessProtected)
        var limit = rlimit()
        getrlimit(RLIMIT_CORE_ID, &limit)
        #expect(limit.rlim_cur == 0)
    }

    @Test("secret bytes live in locked memory")
    func locked() throws {
        let secret = try SecureBytes.random(count: 32)
        #expect(secret.count == 32)
        let locked = try #require(Hardening.lockedKilobytes)
        #expect(locked > 0)
    }
}

#if canImport(Glibc)
import Glibc
private let RLIMIT_CORE_ID = __rlimit_resource_t(UInt32(RLIMIT_CORE.rawValue))
#endif
