//! The filter parser: a tokenizer and a recursive-descent parser for the RFC 7644 §3.4.2.2 ABNF,
//! with `and` binding tighter than `or`.

use serde_json::Value;

use super::{CompareOp, Filter};
use crate::protocol::error::ScimError;
use crate::protocol::path::{AttrPath, is_attr_name};

/// The longest filter accepted by default, in characters (ZITADEL's limit).
pub const DEFAULT_MAX_FILTER_LENGTH: usize = 1000;

/// How deeply parentheses, `not` and brackets may nest.
const MAX_DEPTH: usize = 50;

/// Parses a filter of at most [`DEFAULT_MAX_FILTER_LENGTH`] characters.
pub fn parse_filter(text: &str) -> Result<Filter, ScimError> {
    parse_filter_with_limit(text, DEFAULT_MAX_FILTER_LENGTH)
}

/// Parses a filter of at most `max_length` characters. Every failure is 400 `invalidFilter`
/// with the byte position of the problem in the detail.
pub fn parse_filter_with_limit(text: &str, max_length: usize) -> Result<Filter, ScimError> {
    let length = text.chars().count();
    if length > max_length {
        return Err(ScimError::invalid_filter(format!(
            "the filter is {length} characters long; at most {max_length} are accepted"
        )));
    }
    let mut parser = Parser::new(text).map_err(ScimError::invalid_filter)?;
    if parser.tokens.is_empty() {
        return Err(ScimError::invalid_filter("the filter is empty"));
    }
    let filter = parser.parse_or().map_err(ScimError::invalid_filter)?;
    parser.expect_end().map_err(ScimError::invalid_filter)?;
    Ok(filter)
}

/// Parses a PATCH path (`attrPath` or `valuePath [subAttr]`, RFC 7644 §3.5.2) into the attribute,
/// the optional value filter and the optional sub-attribute after the brackets. The error is a
/// human reason; the caller reports it as `invalidPath`.
pub(crate) fn parse_path_expression(
    text: &str,
) -> Result<(AttrPath, Option<Filter>, Option<String>), String> {
    let mut parser = Parser::new(text)?;
    let (position, word) = match parser.next() {
        Some((position, Token::Word(word))) => (position, word),
        _ => return Err(format!("'{text}' is not an attribute path")),
    };
    let path = AttrPath::parse(&word).map_err(|e| format!("{e} (position {position})"))?;
    if !matches!(parser.peek(), Some(Token::LBracket)) {
        parser.expect_end()?;
        return Ok((path, None, None));
    }
    if path.sub.is_some() {
        return Err(format!(
            "a value filter cannot follow the sub-attribute in '{text}'"
        ));
    }
    let (filter, sub) = parser.value_filter()?;
    parser.expect_end()?;
    Ok((path, Some(filter), sub))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Str(String),
    Word(String),
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    cursor: usize,
    end: usize,
    depth: usize,
    in_brackets: bool,
}

type Parsed<T> = Result<T, String>;

impl Parser {
    fn new(text: &str) -> Parsed<Self> {
        Ok(Self {
            tokens: tokenize(text)?,
            cursor: 0,
            end: text.len(),
            depth: 0,
            in_brackets: false,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.cursor).map(|(_, token)| token)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.cursor).map_or(self.end, |(p, _)| *p)
    }

    fn next(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.cursor).cloned();
        if token.is_some() {
            self.cursor += 1;
        }
        token
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            None => "the end of the filter".into(),
            Some(Token::LParen) => "'('".into(),
            Some(Token::RParen) => "')'".into(),
            Some(Token::LBracket) => "'['".into(),
            Some(Token::RBracket) => "']'".into(),
            Some(Token::Str(s)) => format!("the string \"{s}\""),
            Some(Token::Word(w)) => format!("'{w}'"),
        }
    }

    fn unexpected(&self, wanted: &str) -> String {
        format!(
            "expected {wanted} at position {}, found {}",
            self.position(),
            self.describe_next()
        )
    }

    fn expect(&mut self, token: &Token, wanted: &str) -> Parsed<()> {
        if self.peek() == Some(token) {
            self.cursor += 1;
            Ok(())
        } else {
            Err(self.unexpected(wanted))
        }
    }

    fn expect_end(&self) -> Parsed<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.unexpected("'and', 'or' or the end of the filter")),
        }
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword));
        if found {
            self.cursor += 1;
        }
        found
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "the filter nests deeper than {MAX_DEPTH} levels at position {}",
                self.position()
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Parsed<Filter> {
        let mut left = self.parse_and()?;
        while self.eat_keyword("or") {
            let right = self.parse_and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Parsed<Filter> {
        let mut left = self.parse_unary()?;
        while self.eat_keyword("and") {
            let right = self.parse_unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_unary(&mut self) -> Parsed<Filter> {
        self.enter()?;
        let is_not = matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case("not"))
            && matches!(self.tokens.get(self.cursor + 1), Some((_, Token::LParen)));
        let filter = if is_not {
            self.cursor += 2;
            let inner = self.parse_or()?;
            self.expect(&Token::RParen, "')' closing 'not ('")?;
            Filter::Not(Box::new(inner))
        } else if self.peek() == Some(&Token::LParen) {
            self.cursor += 1;
            let inner = self.parse_or()?;
            self.expect(&Token::RParen, "')'")?;
            inner
        } else {
            self.parse_attribute_expression()?
        };
        self.depth -= 1;
        Ok(filter)
    }

    fn parse_attribute_expression(&mut self) -> Parsed<Filter> {
        let position = self.position();
        let Some(Token::Word(word)) = self.peek().cloned() else {
            return Err(self.unexpected("an attribute path, '(' or 'not ('"));
        };
        self.cursor += 1;
        let path = AttrPath::parse(&word).map_err(|e| format!("{e} (position {position})"))?;
        if self.in_brackets && (path.urn.is_some() || path.sub.is_some()) {
            return Err(format!(
                "inside '[...]' name a sub-attribute without prefix, not '{word}' (position {position})"
            ));
        }
        if self.peek() != Some(&Token::LBracket) {
            return self.parse_comparison(path);
        }
        if self.in_brackets {
            return Err(format!(
                "value filters cannot nest (position {})",
                self.position()
            ));
        }
        if path.sub.is_some() {
            return Err(format!(
                "a value filter cannot follow the sub-attribute in '{word}' (position {position})"
            ));
        }
        let (inner, sub) = self.value_filter()?;
        let filter = match sub {
            None => inner,
            Some(sub) => {
                let compared = self.parse_comparison(AttrPath::new(sub))?;
                Filter::And(Box::new(inner), Box::new(compared))
            }
        };
        Ok(Filter::ValuePath {
            path,
            filter: Box::new(filter),
        })
    }

    /// Parses `[valFilter]` and an optional `.subAttr` glued to the closing bracket.
    fn value_filter(&mut self) -> Parsed<(Filter, Option<String>)> {
        self.expect(&Token::LBracket, "'['")?;
        self.enter()?;
        self.in_brackets = true;
        let inner = self.parse_or()?;
        self.in_brackets = false;
        self.depth -= 1;
        let closing = self.position();
        self.expect(&Token::RBracket, "']'")?;
        let sub = match self.tokens.get(self.cursor) {
            Some((p, Token::Word(w))) if *p == closing + 1 && w.starts_with('.') => {
                let name = w.get(1..).unwrap_or_default().to_owned();
                if !is_attr_name(&name) {
                    return Err(format!("'{w}' is not a valid sub-attribute (position {p})"));
                }
                self.cursor += 1;
                Some(name)
            }
            _ => None,
        };
        Ok((inner, sub))
    }

    fn parse_comparison(&mut self, path: AttrPath) -> Parsed<Filter> {
        let operator = match self.peek() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("pr") => None,
            Some(Token::Word(w)) => match CompareOp::from_keyword(w) {
                Some(op) => Some(op),
                None => return Err(self.operator_error(&path)),
            },
            _ => return Err(self.operator_error(&path)),
        };
        self.cursor += 1;
        let Some(op) = operator else {
            return Ok(Filter::Present(path));
        };
        let value = self.parse_value()?;
        Ok(Filter::Compare { path, op, value })
    }

    fn operator_error(&self, path: &AttrPath) -> String {
        self.unexpected(&format!(
            "an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after '{path}'"
        ))
    }

    fn parse_value(&mut self) -> Parsed<Value> {
        let wanted = "a comparison value (a string, a number, true, false or null)";
        let value = match self.peek() {
            Some(Token::Str(s)) => Value::String(s.clone()),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Value::Null,
            Some(Token::Word(w)) if is_json_number(w) => {
                match serde_json::from_str::<serde_json::Number>(w) {
                    Ok(number) => Value::Number(number),
                    Err(_) => return Err(self.unexpected(wanted)),
                }
            }
            _ => return Err(self.unexpected(wanted)),
        };
        self.cursor += 1;
        Ok(value)
    }
}

/// Whether `word` has the JSON number shape `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`.
fn is_json_number(word: &str) -> bool {
    let rest = word.strip_prefix('-').unwrap_or(word);
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let int_len = digits(rest);
    if int_len == 0 || (int_len > 1 && rest.starts_with('0')) {
        return false;
    }
    let mut rest = rest.get(int_len..).unwrap_or_default();
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = digits(fraction);
        if len == 0 {
            return false;
        }
        rest = fraction.get(len..).unwrap_or_default();
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let len = digits(exponent);
        if len == 0 {
            return false;
        }
        rest = exponent.get(len..).unwrap_or_default();
    }
    rest.is_empty()
}

fn tokenize(text: &str) -> Parsed<Vec<(usize, Token)>> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((position, c)) = chars.next() {
        let token = match c {
            c if c.is_whitespace() => continue,
            '(' => Token::LParen,
            ')' => Token::RParen,
            '[' => Token::LBracket,
            ']' => Token::RBracket,
            '"' => {
                let mut escaped = false;
                let mut end = None;
                for (p, c) in chars.by_ref() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = Some(p);
                            break;
                        }
                        _ => {}
                    }
                }
                let end =
                    end.ok_or_else(|| format!("unterminated string at position {position}"))?;
                let literal = text.get(position..=end).unwrap_or_default();
                let decoded = serde_json::from_str::<String>(literal)
                    .map_err(|e| format!("invalid string at position {position}: {e}"))?;
                Token::Str(decoded)
            }
            _ => {
                let mut end = position + c.len_utf8();
                while let Some(&(p, next)) = chars.peek() {
                    if next.is_whitespace() || matches!(next, '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    end = p + next.len_utf8();
                    chars.next();
                }
                Token::Word(text.get(position..end).unwrap_or_default().to_owned())
            }
        };
        tokens.push((position, token));
    }
    Ok(tokens)
}
