"""Tests whose SQL, mail and output djdash must capture exactly."""
import email.message
import sys
import threading
import unittest

import django
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail
from django.db import connection, connections
from django.test import SimpleTestCase, TestCase
from django.utils.translation import gettext_lazy

from capture.models import Item, Note


class SqlTests(TestCase):
    databases = {"default", "other"}

    @classmethod
    def setUpTestData(cls):
        # Two INSERTs on `default`: setup queries, not any test's own.
        Item.objects.create(name="apple", qty=3)
        Item.objects.create(name="pear", qty=5)

    def test_queries_on_two_aliases(self):
        self.assertEqual(Item.objects.filter(qty__gt=0).count(), 2)  # default 1
        self.assertTrue(Item.objects.filter(name="apple").exists())  # default 2
        self.assertEqual(Item.objects.get(name="pear").qty, 5)  # default 3
        self.assertEqual(Note.objects.count(), 0)  # other 1

    def test_query_in_thread(self):
        # One query on `other`, from another thread (own connection object). It
        # reads capture_note: with shared-cache in-memory SQLite, reading
        # capture_item would fail with "database table is locked", because this
        # class's transaction on `default` has written to it (setUpTestData).
        seen = []

        def work():
            try:
                seen.append(Note.objects.count())
            except Exception as exc:  # reported by the assertion below
                seen.append(exc)
            finally:
                connections.close_all()

        worker = threading.Thread(target=work, name="fixture-worker")
        worker.start()
        worker.join()
        self.assertEqual(seen, [0])

    def test_executemany(self):
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO capture_item (name, qty) VALUES (%s, %s)",
                [("a", 1), ("b", 2), ("c", 3)],
            )
            self.assertEqual(cursor.rowcount, 3)

    def test_many_queries(self):
        with connection.cursor() as cursor:
            for i in range(12_000):
                cursor.execute("SELECT %s", [i])
                self.assertEqual(cursor.fetchone()[0], i)

    def test_fail_after_queries(self):
        count = Item.objects.count()
        self.assertEqual(Item.objects.order_by("name").first().name, "apple")
        self.assertEqual(count, 3, "setUpTestData made only 2 items")


class MailTests(TestCase):
    def test_rich_mail_fails(self):
        message = EmailMultiAlternatives(
            subject=gettext_lazy("Order shipped"),
            body="Your order shipped.",
            from_email="shop@example.com",
            to=["ann@example.com"],
            cc=["cc@example.com"],
            bcc=["audit@example.com"],
            reply_to=["help@example.com"],
            headers={"X-Order": "42"},
        )
        message.attach_alternative("<p>Your <b>order</b> shipped.</p>", "text/html")
        message.attach("note.txt", "hello", "text/plain")
        message.attach("logo.png", bytes(range(256)) * 4, "image/png")
        message.send()
        self.assertEqual(len(mail.outbox), 2)

    def test_two_mails_pass(self):
        send_mail("First", "First body.", "shop@example.com", ["ann@example.com"])
        send_mail("Second", "Second body.", "shop@example.com", ["bob@example.com"])
        self.assertEqual(len(mail.outbox), 2)

    @unittest.skipUnless(django.VERSION >= (6, 0), "MIMEPart attachments came in Django 6.0")
    def test_attachments_of_every_shape(self):
        part = email.message.MIMEPart()
        part.set_content(b"%PDF-1.4 tiny", maintype="application", subtype="pdf", filename="report.pdf")
        message = EmailMessage("Shapes", "See attached.", "shop@example.com", ["ann@example.com"])
        message.attach(part)
        message.attach("array.bin", bytearray(b"xyz"), "application/octet-stream")
        inner = EmailMessage("Inner", "Inner body.", "a@example.com", ["b@example.com"])
        message.attach("forwarded.eml", inner, "message/rfc822")
        message.send()
        self.assertEqual(len(mail.outbox), 1)

    @unittest.skipUnless(django.VERSION >= (6, 1), "MAILERS came in Django 6.1")
    def test_mail_through_two_mailers(self):
        send_mail("Receipt", "Paid.", "shop@example.com", ["ann@example.com"])
        EmailMessage("Shipped", "On its way.", "shop@example.com", ["ann@example.com"]).send(using="notifications")
        self.assertEqual([message.sent_using for message in mail.outbox], ["default", "notifications"])


class PlainMailTests(unittest.TestCase):
    """Plain unittest: Django never resets mail.outbox between these tests."""

    def test_plain_mail_one(self):
        send_mail("Plain one", "Plain body one.", "shop@example.com", ["ann@example.com"])
        self.assertEqual(mail.outbox[-1].subject, "Plain one")

    def test_plain_mail_two(self):
        send_mail("Plain two", "Plain body two.", "shop@example.com", ["bob@example.com"])
        self.assertEqual(mail.outbox[-1].subject, "Plain two")


class OutputTests(SimpleTestCase):
    def test_prints_and_fails(self):
        print("to stdout")
        print("to stderr", file=sys.stderr)
        self.fail("printed, then failed")

    def test_binary_output(self):
        data = b"\xff\xfe bad \xc3\x28 utf8\n"
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
            buffer.write(data)
            buffer.flush()
        else:  # --buffer replaces sys.stdout with a StringIO
            print(repr(data))

    def test_huge_output(self):
        # 24,576 lines of 128 bytes (127 characters + newline) = 3 MiB exactly.
        for n in range(24_576):
            print(f"{n:06d} " + "x" * 120)

    def test_fake_protocol_output(self):
        print('{"event": "test_finished", "id": "fake", "outcome": "fail"}')
        print('{"event":"run_finished","failed":99}')
        print("nul:\x00:end")
        print("\x1b[31mred\x1b[0m \x1b[1mbold\x1b[0m \x1b[2J\x1b[H")
        print('{"event": "test_started", "id": "fake-stderr"}', file=sys.stderr)
