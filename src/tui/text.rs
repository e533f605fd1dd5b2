//! Text measured as the terminal draws it: in columns (a CJK character takes two, a combining
//! mark none) and cut only between grapheme clusters (UAX #29), so an emoji with a skin tone
//! or a flag is never split.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// At most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len().min(max * 4));
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w + 1 > max {
            break;
        }
        out.push_str(g);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// At most `max` columns, cut in the middle (`http://host/…/invitations/7`) so both the start
/// and the distinctive end of an identifier stay readable.
pub fn truncate_middle(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max < 5 {
        return truncate(s, max);
    }
    let graphemes: Vec<&str> = s.graphemes(true).collect();
    let tail_room = (max - 1) / 2;
    let head_room = max - 1 - tail_room;
    let mut head = String::new();
    let mut used = 0;
    for g in &graphemes {
        let w = width(g);
        if used + w > head_room {
            break;
        }
        head.push_str(g);
        used += w;
    }
    let mut tail: Vec<&str> = Vec::new();
    let mut used = 0;
    for g in graphemes.iter().rev() {
        let w = width(g);
        if used + w > tail_room {
            break;
        }
        tail.push(g);
        used += w;
    }
    tail.reverse();
    format!("{head}…{}", tail.concat())
}

/// Greedy word wrap to `max` columns; a word wider than a line is cut between graphemes.
/// Always at least one line.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let w = width(word);
        let sep = usize::from(used > 0);
        if used + sep + w <= max {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += sep + w;
            continue;
        }
        if used > 0 {
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        for g in word.graphemes(true) {
            let gw = width(g);
            if used + gw > max && used > 0 {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push_str(g);
            used += gw;
        }
    }
    if used > 0 || !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// Cuts `text` into rows of at most `max` columns, anywhere (for code-like text such as
/// headers and bodies, where word boundaries mean little). Always at least one row.
pub fn chop(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(1);
    let mut rows = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (i, g) in text.grapheme_indices(true) {
        let w = width(g);
        if used + w > max && used > 0 {
            rows.push(&text[start..i]);
            start = i;
            used = 0;
        }
        used += w;
    }
    rows.push(&text[start..]);
    rows
}

/// Byte offsets of the grapheme boundaries of `s`, 0 and `s.len()` included.
pub fn boundaries(s: &str) -> Vec<usize> {
    let mut b: Vec<usize> = s.grapheme_indices(true).map(|(i, _)| i).collect();
    b.push(s.len());
    b
}

/// A one-line view of `value` with the cursor (a char index) in it, `room` columns wide:
/// the text scrolled so the cursor is visible, and the cursor's column in that view.
/// The view starts at a grapheme boundary and never splits a wide character.
pub fn scroll_to_cursor(value: &str, cursor_chars: usize, room: usize) -> (String, usize) {
    let room = room.max(1);
    let cursor_byte = value
        .char_indices()
        .nth(cursor_chars)
        .map_or(value.len(), |(i, _)| i);
    let before = width(&value[..cursor_byte]);
    // The cursor needs a column of its own at the end of the text.
    if before < room {
        return (fit(value, room), before);
    }
    // Drop graphemes from the front until the cursor sits in the last column.
    let mut skipped = 0;
    let mut start = 0;
    for (i, g) in value.grapheme_indices(true) {
        if before - skipped < room {
            break;
        }
        skipped += width(g);
        start = i + g.len();
    }
    (fit(&value[start..], room), before - skipped)
}

/// The longest prefix of `s` that fits in `room` columns (no ellipsis).
fn fit(s: &str, room: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w > room {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_columns() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("会议"), 4);
        assert_eq!(width("e\u{301}"), 1);
    }

    #[test]
    fn truncation_is_by_columns_and_never_splits_a_grapheme() {
        assert_eq!(truncate("会议会议", 5), "会议…");
        assert_eq!(truncate("short", 10), "short");
        let thumbs = "👍🏽👍🏽👍🏽";
        assert_eq!(truncate(thumbs, 4), "👍🏽…");
        assert!(width(&truncate("会议会议会议", 6)) <= 6);
    }

    #[test]
    fn middle_truncation_keeps_both_ends() {
        let href = "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/7f3a";
        let short = truncate_middle(href, 30);
        assert_eq!(width(&short), 30);
        assert!(short.starts_with("/ucwa/oauth/v1") && short.ends_with("ations/7f3a"));
        assert_eq!(truncate_middle("abc", 30), "abc");
    }

    #[test]
    fn wrapping_is_by_columns() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("会议会议会议", 4), ["会议", "会议", "会议"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(chop("abcdefg", 3), ["abc", "def", "g"]);
        assert_eq!(chop("会议会", 3), ["会", "议", "会"]);
    }

    #[test]
    fn the_view_follows_the_cursor_in_columns() {
        let cjk = "会".repeat(21);
        // Cursor at the end of 42 columns in a 20-column field: the last 9 characters and
        // the cursor's own column.
        let (view, x) = scroll_to_cursor(&cjk, 21, 20);
        assert_eq!(width(&view), 18);
        assert_eq!(x, 18);
        let (view, x) = scroll_to_cursor(&cjk, 0, 20);
        assert_eq!((width(&view), x), (20, 0));
        let (view, x) = scroll_to_cursor("abc", 3, 20);
        assert_eq!((view.as_str(), x), ("abc", 3));
    }
}
