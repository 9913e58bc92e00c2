//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// A ``LinkStore`` in memory.
///
/// A link is identified as in wasmCloud by its source, WIT namespace, WIT package and name: a
/// ``put(_:)`` with the same identity replaces the link in place. Links keep the order in which
/// they were first put.
public final class InMemoryLinkStore: LinkStore {
    private let state: Mutex<[LatticeLink]>

    /// Creates a store.
    /// - Parameter links: Links to start with.
    public init(links: [LatticeLink] = []) {
        self.state = Mutex([])
        for link in links {
            self.put(link)
        }
    }

    /// Every link, in order.
    public var allLinks: [LatticeLink] {
        self.state.withLock { $0 }
    }

    /// Adds a link, or replaces the one with the same source, namespace, package and name.
    /// - Parameter link: The link.
    public func put(_ link: LatticeLink) {
        self.state.withLock { links in
            if let index = links.firstIndex(where: { Self.sameIdentity($0, link) }) {
                links[index] = link
            } else {
                links.append(link)
            }
        }
    }

    /// Removes a link.
    /// - Parameters:
    ///   - sourceID: The link's source.
    ///   - witNamespace: The WIT namespace.
    ///   - witPackage: The WIT package.
    ///   - name: The link name.
    /// - Returns: The removed link, or `nil` when there was none.
    @discardableResult
    public func remove(sourceID: String, witNamespace: String, witPackage: String, name: String = "default")
        -> LatticeLink?
    {
        self.state.withLock { links in
            guard
                let index = links.firstIndex(where: {
                    $0.sourceID == sourceID && $0.witNamespace == witNamespace && $0.witPackage == witPackage
                        && $0.name == name
                })
            else {
                return nil
            }
            return links.remove(at: index)
        }
    }

    /// The links in which a provider is the source or the target, in the order they were put.
    /// - Parameter providerID: The provider id.
    /// - Returns: The links.
    public func links(involving providerID: String) async throws -> [LatticeLink] {
        self.state.withLock { links in links.filter { $0.involves(providerID) } }
    }

    private static func sameIdentity(_ lhs: LatticeLink, _ rhs: LatticeLink) -> Bool {
        lhs.sourceID == rhs.sourceID && lhs.witNamespace == rhs.witNamespace && lhs.witPackage == rhs.witPackage
            && lhs.name == rhs.name
    }
}
