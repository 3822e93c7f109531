//! Lists held as their validated wire form and decoded on access (issue 17's value model).
//!
//! A list that a FETCH response carries many of (the address lists of an `envelope`, the
//! `body-fld-param` lists of a `body`; RFC 9051 §9) is checked once by the parser, item by
//! item, without building anything, and kept as the slice of the message between its
//! parentheses. Its items are parsed again, from bytes already known to be valid, only when
//! they are asked for ([`iter`](crate::response::AddressList::iter)); encoding copies the
//! slice. Parsing a response therefore allocates nothing for these lists.
//!
//! A list built by an application from items ([`new`](crate::response::AddressList::new)) is
//! encoded once into an owned wire form, the same form the parser holds: the two compare equal
//! exactly when their items do.

/// Generates a validated wire list type `$name<'a>` of `$item<'a>` and its iterator `$iter`.
///
/// - `sep`: whether items are separated by `SP` (`body-fld-param`) or follow each other, each
///   starting with `(` (`1*address`).
/// - `parse`: parses one item from valid bytes; `skip`: checks one item without building it,
///   with the same acceptance and errors as the list's former `Vec` parser;
///   `encode`: encodes one item.
macro_rules! wire_list {
    (
        $(#[$doc:meta])*
        $name:ident of $item:ident, iter $iter:ident,
        sep: $sep:expr,
        parse: $parse:path,
        skip: $skip:path,
        encode: $encode:path $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Default)]
        pub struct $name<'a> {
            /// The items' wire form between the parentheses, validated; empty for NIL.
            wire: alloc::borrow::Cow<'a, [u8]>,
            /// The number of items.
            len: usize,
        }

        impl<'a> $name<'a> {
            /// A list of `items`; no items is NIL. The items are encoded once into the
            /// list's wire form.
            pub fn new(items: impl IntoIterator<Item = $item<'a>>) -> Self {
                let mut out = Vec::new();
                let mut len = 0;
                {
                    let mut e = $crate::encode::Encoder::server(&mut out);
                    for item in items {
                        if $sep && len > 0 {
                            e.sp();
                        }
                        $encode(&item, &mut e);
                        len += 1;
                    }
                    let _ = e.finish();
                }
                $name {
                    wire: alloc::borrow::Cow::Owned(out),
                    len,
                }
            }

            /// The number of items.
            pub fn len(&self) -> usize {
                self.len
            }

            /// True for NIL (no items).
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            /// The items, decoded from the validated wire form as the iterator advances.
            pub fn iter(&self) -> $iter<'_> {
                $crate::items::SpItems::with_sep(&self.wire, self.len, $sep, $parse)
            }

            /// The first item.
            pub fn first(&self) -> Option<$item<'_>> {
                self.iter().next()
            }

            /// The `n`th item (decodes the items before it).
            pub fn get(&self, n: usize) -> Option<$item<'_>> {
                self.iter().nth(n)
            }

            /// The items, fully decoded, borrowing from the list.
            pub fn to_vec(&self) -> Vec<$item<'_>> {
                self.iter().collect()
            }

            /// The items, fully decoded, with the list's lifetime (owned items when the list
            /// owns its wire form).
            pub fn into_vec(self) -> Vec<$item<'a>> {
                let left = self.len;
                match self.wire {
                    alloc::borrow::Cow::Borrowed(rest) => {
                        $crate::items::SpItems::with_sep(rest, left, $sep, $parse).collect()
                    }
                    alloc::borrow::Cow::Owned(v) => {
                        $crate::items::SpItems::with_sep(&v, left, $sep, $parse)
                            .map($crate::core::IntoStatic::into_static)
                            .collect()
                    }
                }
            }

            /// The validated wire form of the items (between the parentheses; empty for NIL).
            pub fn wire(&self) -> &[u8] {
                &self.wire
            }

            /// Parses `"(" items ")" / nil`, checking every item once; reported as `name`
            /// when the input is neither.
            pub(crate) fn parse(
                i: &'a [u8],
                name: &'static str,
            ) -> $crate::error::PResult<'a, Self> {
                match i.first() {
                    Some(b'(') => {
                        let body = &i[1..];
                        let mut j = body;
                        let mut len = 0;
                        loop {
                            let (r, ()) = $skip(j)?;
                            len += 1;
                            match r.first() {
                                Some(b')') => {
                                    let wire = &body[..body.len() - r.len()];
                                    return Ok((
                                        &r[1..],
                                        $name {
                                            wire: alloc::borrow::Cow::Borrowed(wire),
                                            len,
                                        },
                                    ));
                                }
                                Some(b' ') if $sep => j = &r[1..],
                                Some(b'(') if !$sep => j = r,
                                _ => return $crate::error::fail(r, "\")\""),
                            }
                        }
                    }
                    Some(b'N' | b'n') => match $crate::core::nil(i) {
                        Ok((r, ())) => Ok((r, $name::default())),
                        Err(_) => $crate::error::fail(i, name),
                    },
                    _ => $crate::error::fail(i, name),
                }
            }
        }

        /// The items of a list, decoded one by one from its validated wire form.
        pub type $iter<'s> = $crate::items::SpItems<'s, $item<'s>>;

        impl<'s> IntoIterator for &'s $name<'_> {
            type Item = $item<'s>;
            type IntoIter = $iter<'s>;
            fn into_iter(self) -> $iter<'s> {
                self.iter()
            }
        }

        impl<'a> From<Vec<$item<'a>>> for $name<'a> {
            fn from(items: Vec<$item<'a>>) -> Self {
                $name::new(items)
            }
        }

        impl<'a> FromIterator<$item<'a>> for $name<'a> {
            fn from_iter<I: IntoIterator<Item = $item<'a>>>(items: I) -> Self {
                $name::new(items)
            }
        }

        impl PartialEq for $name<'_> {
            fn eq(&self, other: &Self) -> bool {
                self.len == other.len && (self.wire == other.wire || self.iter().eq(other.iter()))
            }
        }

        $crate::response::wire::by_items!($name);

        impl $crate::core::IntoStatic for $name<'_> {
            type Static = $name<'static>;
            fn into_static(self) -> $name<'static> {
                $name {
                    wire: alloc::borrow::Cow::Owned(self.wire.into_owned()),
                    len: self.len,
                }
            }
        }

        impl $crate::encode::Encode for $name<'_> {
            fn encode(&self, e: &mut $crate::encode::Encoder<'_>) {
                if self.len == 0 {
                    e.raw(b"NIL");
                } else {
                    e.byte(b'(').raw(&self.wire).byte(b')');
                }
            }
        }
    };
}

pub(crate) use wire_list;

/// `Eq`, `Hash`, `Debug` and (with `serde`) `Serialize` of a value held as a checked wire form
/// (the `wire_list!` lists, `MessageAttributes`, `SearchProgram`), through its decoded items:
/// `len()` and `iter()`. Its `PartialEq` is the type's own, or with `wire_eq` (a type with
/// `wire` and `len` fields: `HeaderList`, `FetchList`, `FlagList`, `SearchProgram`) the wire
/// forms compared first, then the decoded items.
macro_rules! by_items {
    // A checked wire form with `wire` and `len` fields: equal when the counts match and the
    // wire forms are the same octets, or else the decoded items are equal.
    ($name:ident, wire_eq) => {
        impl PartialEq for $name<'_> {
            fn eq(&self, other: &Self) -> bool {
                self.len == other.len && (self.wire == other.wire || self.iter().eq(other.iter()))
            }
        }

        $crate::response::wire::by_items!($name);
    };
    ($name:ident) => {
        impl Eq for $name<'_> {}

        impl ::core::hash::Hash for $name<'_> {
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                self.len().hash(state);
                for item in self.iter() {
                    item.hash(state);
                }
            }
        }

        impl ::core::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }

        /// The items, as a sequence (the shape of a list of the decoded items).
        #[cfg(feature = "serde")]
        impl serde::Serialize for $name<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.iter())
            }
        }
    };
}

pub(crate) use by_items;

/// Checks `"(" item *(SP item) ")"` (or `"(" ")"` when `allow_empty`) without building
/// anything: [`crate::parse::paren_list`]'s acceptance, each item checked by `item`.
pub(crate) fn skip_paren_list<'a>(
    i: &'a [u8],
    allow_empty: bool,
    mut item: impl FnMut(&'a [u8]) -> crate::error::PResult<'a, ()>,
) -> crate::error::PResult<'a, ()> {
    let (mut i, ()) = crate::parse::lparen(i)?;
    if allow_empty && i.first() == Some(&b')') {
        return Ok((&i[1..], ()));
    }
    loop {
        let (rest, ()) = item(i)?;
        match rest.first() {
            Some(b' ') => i = &rest[1..],
            Some(b')') => return Ok((&rest[1..], ())),
            _ => return crate::error::fail(rest, "\")\""),
        }
    }
}
