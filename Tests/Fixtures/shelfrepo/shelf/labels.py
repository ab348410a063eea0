"""Labels for books: imported by nothing in shelf itself, only by its users."""


def shelf_label(title, pages):
    return "%s (%d pages)" % (title, pages)
