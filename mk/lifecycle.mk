# mk/lifecycle.mk: placeholder until filled
