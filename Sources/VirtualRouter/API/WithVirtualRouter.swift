/// Starts a virtual router, runs `body` with it, and stops it whether `body` returns or throws.
public func withVirtualRouter<T: Sendable>(
    _ options: VirtualRouter.Options = .init(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (VirtualRouter) async throws -> T
) async throws -> T {
    let router = try await VirtualRouter.start(options)
    do {
        let result = try await body(router)
        router.stop()
        return result
    } catch {
        router.stop()
        throw error
    }
}
