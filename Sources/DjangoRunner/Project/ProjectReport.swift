import Foundation

/// What Django really loaded for a run, as the hook reports it once the entry point has
/// configured settings (`project_loaded`): where the project's code is imported from,
/// the settings module, the apps and the wiring settings name, and the project modules
/// `django.setup()` imported. The selection and the watcher prefer it to what djdash can
/// guess from the source; djdash keeps the last one in `.djdash/project.json`.
public struct ProjectReport: Codable, Sendable, Equatable {
  /// One installed app: its dotted name, label and folder.
  public struct App: Codable, Sendable, Equatable {
    public var name: String
    public var label: String
    public var path: String
  }

  /// One entry of `TEMPLATES`.
  public struct TemplateEngine: Codable, Sendable, Equatable {
    public var backend: String
    public var dirs: [String]
    public var appDirs: Bool
    public var contextProcessors: [String]
    public var builtins: [String]
    public var libraries: [String: String]
    public var loaders: [String]

    enum CodingKeys: String, CodingKey {
      case backend, dirs, builtins, libraries, loaders
      case appDirs = "app_dirs"
      case contextProcessors = "context_processors"
    }
  }

  /// The runner's working directory.
  public var directory: String
  /// The runner's `sys.path`, less the standard library, installed packages and djdash's
  /// own folder (an editable install's source folder stays): absolute paths.
  public var sourceFolders: [String]
  /// `DJANGO_SETTINGS_MODULE` as Django used it; nil when a script called `settings.configure()`.
  public var settingsModule: String?
  public var apps: [App]
  public var rootURLConf: String?
  public var middleware: [String]
  public var templates: [TemplateEngine]
  public var fixtureDirs: [String]
  public var authenticationBackends: [String]
  public var emailBackend: String
  /// `STORAGES` alias → backend.
  public var storages: [String: String]
  /// The files of project modules loaded before the first test (`django.setup()`, the
  /// settings, the entry point): absolute paths.
  public var modules: [String]

  enum CodingKeys: String, CodingKey {
    case directory, apps, middleware, templates, storages, modules
    case sourceFolders = "source_folders"
    case settingsModule = "settings_module"
    case rootURLConf = "root_urlconf"
    case fixtureDirs = "fixture_dirs"
    case authenticationBackends = "authentication_backends"
    case emailBackend = "email_backend"
  }

  /// `.djdash/project.json` under `projectRoot`.
  public static func path(projectRoot: String) -> String { projectRoot + "/.djdash/project.json" }

  /// The last report kept for `projectRoot`; nil when there is none or it cannot be read.
  public static func load(projectRoot: String) -> ProjectReport? {
    guard let data = FileManager.default.contents(atPath: path(projectRoot: projectRoot)) else { return nil }
    return try? JSONDecoder().decode(ProjectReport.self, from: data)
  }

  /// Keeps this report as the project's last (written whole, then renamed into place).
  public func save(projectRoot: String) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    guard let data = try? encoder.encode(self) else { return }
    DjdashFolder.replace("project.json", with: data, projectRoot: projectRoot)
  }
}
