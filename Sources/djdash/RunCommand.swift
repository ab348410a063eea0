import ArgumentParser
import DjangoRunner
import Foundation
import RunHistory

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the tests headless, like manage.py test: live lines, then failures and a summary."
  )

  @OptionGroup var tests: RunArguments
  @OptionGroup var report: ReportArguments
  @OptionGroup var history: HistoryArguments

  func run() throws {
    let directory = FileManager.default.currentDirectoryPath
    let project = try Console.exitingOnProjectError { try Project.locate(from: directory, command: tests.command) }
    let store = history.noHistory ? nil : HistoryAccess.open(projectRoot: project.root)
    let phases = history.phases(of: tests.request, project: project, store: store)
    var code: Int32 = 0
    for (number, request) in phases.enumerated() {
      let plan = try Console.exitingOnProjectError { try project.plan(for: request, directory: directory) }
      // With --failed-first, the report files describe the second run: the whole selection.
      let isLast = number == phases.count - 1
      var phaseReport = report
      if !isLast {
        phaseReport.events = nil
        phaseReport.junitXML = nil
      }
      let phaseCode = try HeadlessRun(plan: plan, report: phaseReport, history: store).execute()
      code = max(code, phaseCode)
      let stopsAtAFailure = request.filling(from: project.configuration).failfast
      if phaseCode == 2 || phaseCode == 130 || (phaseCode == 1 && stopsAtAFailure) { break }
    }
    throw ExitCode(code)
  }
}
