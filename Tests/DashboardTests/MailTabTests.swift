import Dashboard
import DjangoRunner
import Foundation
import XCTest

/// The Mail tab of a message from Django 6.x: the mailer that sent it (6.1's MAILERS)
/// and an attachment whose size the hook could not know.
final class MailTabTests: XCTestCase {
  func testTheMailTabNamesTheMailerAndLeavesOutAnUnknownSize() throws {
    let mails = """
      [{"subject":"Your order","from":"shop@example.com","to":["ann@example.com"],"body":"Thanks!",
        "sent_using":"notifications",
        "attachments":[{"name":"forwarded.eml","mimetype":"message/rfc822"},
                       {"name":"invoice.pdf","mimetype":"application/pdf","size":2048}]}]
      """
    var events = try Recording.events("demo-run")
    let index = try XCTUnwrap(
      events.firstIndex {
        if case .testFinished(let report) = $0.event {
          return report.id.hasSuffix("mail_subject")
        } else {
          return false
        }
      })
    guard case .testFinished(var report) = events[index].event else { return XCTFail("not a result") }
    report.mails = try JSONDecoder().decode([Mail].self, from: Data(mails.utf8))
    events[index].event = .testFinished(report)

    var state = DashboardState(
      projectName: "demo-shop", projectRoot: Recording.projectRoot, scopeLabels: [], glyphs: .unicode, width: 100,
      height: 40, watching: nil)
    for event in events { _ = state.apply(.runEvent(event, now: 100 + event.t)) }
    Recording.apply([.key(.character("/"))] + "mail_subject".map { .key(.character($0)) } + [.key(.enter)], to: &state)
    Recording.apply(Recording.keys(.character("n"), .enter, .tab, .tab), to: &state)
    state.layoutIfNeeded()
    let lines = DashboardView.render(state).textLines.map { $0.trimmingCharacters(in: .whitespaces) }
    XCTAssertTrue(lines.contains { $0.contains("Mailer:   notifications") }, lines.joined(separator: "\n"))
    XCTAssertTrue(
      lines.contains { $0.contains("forwarded.eml  message/rfc822") && !$0.contains(" B") },
      lines.joined(separator: "\n"))
    XCTAssertTrue(lines.contains { $0.contains("invoice.pdf  application/pdf  2 KB") }, lines.joined(separator: "\n"))
  }
}
