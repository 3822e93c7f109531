//! framer placeholder
