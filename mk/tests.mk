# mk/tests.mk: placeholder until filled
