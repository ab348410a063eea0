/// Why one node of the project depends on another: the words `--why` prints.
public enum DependencyReason: Equatable, Sendable {
  /// `import`, `from … import`, or `importlib.import_module("…")`.
  case imports
  /// A string literal naming a module or an object in it (`include("shop.urls")`,
  /// `"shop.middleware.Timing"`, `"catalog.Product"`).
  case names(String)
  /// A string literal naming a template (or, for an f-string, the start of its name).
  case namesTemplate(String)
  case namesFixture(String)
  /// `{% extends %}` / `{% include %}`.
  case extendsOrIncludes
  /// `{% load %}` of a tag library.
  case loadsTags(String)
  /// A test client request goes through the URLconf, middleware and context processors.
  case usesClient
  /// `reverse()`/`resolve()` read the URL modules.
  case usesURLs
  /// The test client serves what settings name (ROOT_URLCONF, MIDDLEWARE, TEMPLATES).
  case servedByClient(setting: String)
  /// A module that `reverse()` reads.
  case urlPatterns
  /// Receivers loaded at start-up (AppConfig.ready, models) run when this module is used.
  case receivesSignals
  /// The admin's registrations, loaded at start-up, are served by the test client.
  case adminRegistration
  /// A run recorded this test module rendering the template.
  case rendered
  /// A string naming a management command (`call_command("rebuild_index")`).
  case namesCommand(String)
  /// A run recorded this test module importing the module (first, in its process).
  case importedInARun
  /// A run recorded this test module's requests resolving to a view in the module.
  case resolvedInARun

  /// How an edge from a dependent to its dependency reads, dependent first.
  public var phrase: String {
    switch self {
    case .imports: return "imports it"
    case .names(let text): return "names it (\"\(text)\")"
    case .namesTemplate(let text): return "names the template (\"\(text)\")"
    case .namesFixture(let text): return "loads the fixture (\"\(text)\")"
    case .extendsOrIncludes: return "extends or includes it"
    case .loadsTags(let library): return "loads its tags ({% load \(library) %})"
    case .usesClient: return "uses the test client"
    case .usesURLs: return "reverses or resolves URLs"
    case .servedByClient(let setting): return "serves it (\(setting))"
    case .urlPatterns: return "reverse() reads its URL patterns"
    case .receivesSignals: return "sends the signals it receives (connected at start-up)"
    case .adminRegistration: return "serves its admin registrations"
    case .rendered: return "rendered it in the last run"
    case .importedInARun: return "imported it in an earlier run"
    case .resolvedInARun: return "requested a URL that resolved to it in an earlier run"
    case .namesCommand(let name): return "calls the management command (\"\(name)\")"
    }
  }
}

/// One edge of the graph: the node depended on, and why.
struct Dependency: Equatable, Sendable {
  var target: String
  var reason: DependencyReason
}

/// Nodes that are not files: the test client and the URL resolver, which plain imports
/// never reach.
enum VirtualNode {
  static let client = "(the test client)"
  static let urls = "(the URL resolver)"

  static func isVirtual(_ node: String) -> Bool { node.hasPrefix("(") }
}
