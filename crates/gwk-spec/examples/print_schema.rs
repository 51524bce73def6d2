fn main() { print!("{}", gwk_spec::schema::schema_text()); }
