def normalise_isbn(text):
    return "".join(character for character in text if character.isdigit() or character == "X")
