/// The xterm 256-colour palette, to pick the nearest of the 8 basic colours for a
/// terminal that has no more.
enum Palette {
  static func rgb(_ index: Int) -> (Int, Int, Int) {
    let basic = [
      (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
      (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
      (255, 255, 255),
    ]
    if index < 16 { return basic[max(0, index)] }
    if index < 232 {
      let cube = index - 16
      let level = { (value: Int) in value == 0 ? 0 : 55 + value * 40 }
      return (level(cube / 36), level(cube / 6 % 6), level(cube % 6))
    }
    let gray = 8 + (index - 232) * 10
    return (gray, gray, gray)
  }

  /// The basic colour (0–7) closest to palette entry `index`.
  static func nearestBasic(_ index: Int) -> Int {
    if index < 8 { return index }
    if index < 16 { return index - 8 }
    let (r, g, b) = rgb(index)
    var best = 0
    var bestDistance = Int.max
    for candidate in 0..<8 {
      let (cr, cg, cb) = rgb(candidate)
      let distance = (r - cr) * (r - cr) + (g - cg) * (g - cg) + (b - cb) * (b - cb)
      if distance < bestDistance {
        best = candidate
        bestDistance = distance
      }
    }
    return best
  }
}
