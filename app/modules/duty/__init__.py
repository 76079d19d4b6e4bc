"""The duty roster (值班表): which community worker answers a community's online needs on which days."""
